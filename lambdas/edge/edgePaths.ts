import { homedir } from 'node:os';
import { join } from 'node:path';

/** `~/.clawpulsar/edge`, or CLAWPULSAR_EDGE_DIR. */
export function defaultEdgeDir(): string {
  return process.env.CLAWPULSAR_EDGE_DIR ?? join(homedir(), '.clawpulsar', 'edge');
}

/** The files of an edge data dir. */
export function edgePaths(dir: string) {
  return {
    dir,
    database: join(dir, 'edge.sqlite'),
    masterKey: join(dir, 'master.key'),
    managementToken: join(dir, 'management.token'),
    caKey: join(dir, 'ca.key.enc'),
    caCertificate: join(dir, 'ca.pem'),
    brokerKey: join(dir, 'broker.key.enc'),
    brokerCertificate: join(dir, 'broker.pem'),
    info: join(dir, 'edge.json'),
  };
}
