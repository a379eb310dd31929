/**
 * `npm run bench`: speed and memory figures printed side by side with their baselines, measured in one
 * run on this machine. Nothing here asserts: read the ratios against the targets in the README.
 *
 * Sections: ingress (hot path vs the node:crypto floor), verifiers (vs official libraries),
 * agent (the relay client alone), e2e (edge and agent as separate processes), lambdas (bundle size and
 * cold init).
 * `npm run bench -- ingress verifiers` runs only those sections.
 */
import { agentBench } from './agentBench.ts';
import { endToEndBench } from './endToEndBench.ts';
import { ingressBench } from './ingressBench.ts';
import { lambdaBench } from './lambdaBench.ts';
import { verifierBench } from './verifierBench.ts';

const sections: Record<string, () => Promise<void>> = {
  ingress: ingressBench,
  verifiers: verifierBench,
  agent: agentBench,
  e2e: endToEndBench,
  lambdas: lambdaBench,
};
const chosen = process.argv.slice(2).filter((a) => a in sections);
process.stdout.write(`ClawPulsar bench — node ${process.version}, ${new Date().toISOString()}\n`);
for (const name of chosen.length ? chosen : Object.keys(sections)) {
  await (sections[name] as () => Promise<void>)();
}
