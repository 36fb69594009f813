/** The MCP server (DESIGN.md §12): tools, resources, approvals; stdio and Streamable HTTP. */
export { createMcpContext, type McpContext, type McpServerOptions } from './mcp-context.ts';
export { createMcpServer, serverVersion } from './create-mcp-server.ts';
export { serveHttp, type RunningHttpServer } from './serve-http.ts';
export { describePlanText, describePlanStatus } from './describe-plan.ts';
export { findPlanTargets, type TargetReader } from './find-plan-targets.ts';
export { capturePlanTargets, checkPlanTargets } from './read-plan-targets.ts';
export { obtainApproval, type Elicitor } from './obtain-approval.ts';
