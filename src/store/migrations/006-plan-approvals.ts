import type { StateMigration } from './migration.ts';

/**
 * Approvals (DESIGN.md §12): a person's decision on a plan, bound to the hash of the plan's body they
 * saw; the records a plan updates or deletes, with their modification time as planned (staleness); and
 * who approved how, in the audit trail. Field values are never stored: only hashes of them.
 */
export const planApprovalsMigration: StateMigration = {
  version: 6,
  name: 'plan approvals: decisions, planned targets, audit actor and channel',
  up(database) {
    database.exec(`
      CREATE TABLE plan_approvals (
        plan_id    TEXT PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
        decision   TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
        body_hash  TEXT NOT NULL,              -- SHA-256 of the plan as shown to the person
        actor      TEXT NOT NULL,              -- who decided: OS user name, or the MCP client's name
        via        TEXT NOT NULL CHECK (via IN ('terminal', 'elicitation')),
        decided_at INTEGER NOT NULL
      ) STRICT;

      -- Records a plan updates or deletes, as they were when it was planned.
      CREATE TABLE plan_targets (
        plan_id        TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        target         TEXT NOT NULL,          -- e.g. "crm.lead 42"
        read_method    TEXT NOT NULL,          -- how to read it again, e.g. crm.lead.get
        read_params    TEXT NOT NULL,          -- JSON {params (ids only), recordPath}
        modified_field TEXT NOT NULL,          -- DATE_MODIFY, updatedTime, changedDate
        modified_at    TEXT,                   -- its value when planned (NULL: the record did not exist)
        field_hashes   TEXT NOT NULL,          -- JSON {field: short hash of its value}
        PRIMARY KEY (plan_id, target)
      ) STRICT;

      ALTER TABLE audit_log ADD COLUMN actor TEXT;
      ALTER TABLE audit_log ADD COLUMN via TEXT;
    `);
  },
};
