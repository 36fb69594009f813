/** Name pools of the demo seed and the lead generator (invented names, example.test addresses). */
export const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Oliver',
  'Sophia',
  'Elijah',
  'Isabella',
  'Lucas',
  'Mia',
  'Mason',
  'Amelia',
  'Ethan',
  'Harper',
  'Logan',
  'Evelyn',
  'James',
  'Abigail',
  'Henry',
  'Emily',
  'Jack',
  'Ella',
  'Daniel',
] as const;

export const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Wilson',
  'Anderson',
  'Taylor',
  'Thomas',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
] as const;

export const COMPANY_NAMES = [
  'Northwind Traders',
  'Contoso Logistics',
  'Fabrikam Foods',
  'Tailspin Toys',
  'Wide World Importers',
  'Adventure Works',
  'Blue Yonder Airlines',
  'Coho Winery',
  'Litware Systems',
  'Proseware Labs',
] as const;

export const LEAD_SOURCES = ['CALL', 'EMAIL', 'WEB', 'ADVERTISING', 'PARTNER', 'RECOMMENDATION', 'TRADE_SHOW', 'WEBFORM'] as const;

export const LEAD_STATUSES = ['NEW', 'IN_PROCESS', 'PROCESSED', 'JUNK'] as const;

export const DEAL_STAGES = ['NEW', 'PREPARATION', 'PREPAYMENT_INVOICE', 'EXECUTING', 'FINAL_INVOICE', 'WON', 'LOSE'] as const;

/** 2026-01-05T09:00:00Z: seeded records are dated from here, whatever the clock says. */
export const SEED_EPOCH_MS = Date.UTC(2026, 0, 5, 9, 0, 0);
