import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where the agent keeps its keys, certificates, config and delivery outcomes. */
export interface AgentPaths {
  readonly dir: string;
  /** Routing, allowlist, tunnel endpoint, agent id (JSON). */
  readonly config: string;
  /** ECDSA P-256 TLS private key (PKCS#8 PEM). Never leaves the machine. */
  readonly tlsKey: string;
  /** The PKCS#10 request for `tlsKey` that the edge signed. */
  readonly tlsCsr: string;
  /** The agent's 24 h client certificate (PEM). */
  readonly certificate: string;
  /** The issuing CA chain of the agent certificate (PEM). */
  readonly caChain: string;
  /** The CA that signs the broker's server certificate (PEM). */
  readonly serverCa: string;
  /** X25519 sealing private key, 32 raw bytes, base64url. Never leaves the machine. */
  readonly sealingKey: string;
  /** SQLite file of delivery outcomes (dedupe across restarts). */
  readonly outcomes: string;
  /** Present only while a renewed certificate is being installed (see installCredentials). */
  readonly installJournal: string;
}

/**
 * The agent home directory: `--dir`, else `CLAWPULSAR_AGENT_DIR`, else `~/.clawpulsar/agent`.
 *
 * @example
 * agentDir(undefined, process.env); // '/home/me/.clawpulsar/agent'
 */
export function agentDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env.CLAWPULSAR_AGENT_DIR;
  return resolve(chosen && chosen.length > 0 ? chosen : join(homedir(), '.clawpulsar', 'agent'));
}

/** The file layout inside an agent home directory. */
export function agentPaths(dir: string): AgentPaths {
  return {
    dir,
    config: join(dir, 'config.json'),
    tlsKey: join(dir, 'tls.key'),
    tlsCsr: join(dir, 'tls.csr'),
    certificate: join(dir, 'tls.crt'),
    caChain: join(dir, 'ca-chain.pem'),
    serverCa: join(dir, 'server-ca.pem'),
    sealingKey: join(dir, 'sealing.key'),
    outcomes: join(dir, 'outcomes.sqlite'),
    installJournal: join(dir, 'install.journal'),
  };
}
