export { generateLeads, type GenerateLeadsOptions } from './generate-leads.ts';
export { loadDemoSeed } from './load-demo-seed.ts';
