/** `chain call` / `chain audit` tests run the real binary through the shared helper. */
export { runCli as runCallCli } from '../../helpers/run-cli.ts';
