import { BadRequestError } from '../../lambdas/core/errors.ts';
import type { TunnelEndpoint } from '../../lambdas/core/registration/registrationMessages.ts';
import { AWS_REGION_PART } from '../../lib/awsNames.ts';

/** IoT Core's own MQTT-over-TLS port, which many office and hotel networks block. */
export const IOT_MQTT_PORT = 8883;
/** IoT Core's HTTPS port, which takes MQTT too when the client asks for IOT_ALPN. */
export const IOT_ALPN_PORT = 443;
/** The ALPN protocol that makes IoT Core speak MQTT (with a client certificate) on port 443. */
export const IOT_ALPN = 'x-amzn-mqtt-ca';

/** The two ports IoT Core takes an agent's tunnel on. */
export type IotCorePort = typeof IOT_MQTT_PORT | typeof IOT_ALPN_PORT;

/** IoT Core's data endpoints: `{prefix}-ats.iot.{region}.amazonaws.com` (and the legacy one without -ats). */
const IOT_ENDPOINT = new RegExp(
  `^[a-z0-9]+(?:-ats)?\\.iot\\.(${AWS_REGION_PART})\\.amazonaws\\.com(?:\\.cn)?$`,
);

/**
 * The region of an IoT Core data endpoint, or undefined when `serverName` is not one (a local edge's
 * broker). The tunnel's server name, not its host, decides: the host may be an address it resolves to.
 *
 * @example
 * iotCoreRegion('a1b2c3-ats.iot.eu-west-1.amazonaws.com'); // 'eu-west-1'
 * iotCoreRegion('localhost'); // undefined
 */
export function iotCoreRegion(serverName: string): string | undefined {
  return IOT_ENDPOINT.exec(serverName.toLowerCase())?.[1];
}

/** Whether IoT Core takes the tunnel on `port`. */
export function isIotCorePort(port: number): port is IotCorePort {
  return port === IOT_MQTT_PORT || port === IOT_ALPN_PORT;
}

/**
 * A tunnel port as given on the command line, which IoT Core must take: 8883, or 443 (with ALPN).
 * Errors: `tunnel_port_invalid`.
 *
 * @example
 * iotCorePortOf('443'); // 443
 */
export function iotCorePortOf(text: string): IotCorePort {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!isIotCorePort(port)) {
    throw new BadRequestError(
      'tunnel_port_invalid',
      `IoT Core takes the tunnel on port ${IOT_MQTT_PORT}, or on ${IOT_ALPN_PORT} with ALPN ${IOT_ALPN}: give ${IOT_MQTT_PORT} or ${IOT_ALPN_PORT}, not "${text.slice(0, 20)}"`,
      { port: text.slice(0, 20) },
    );
  }
  return port;
}

/**
 * The IoT Core endpoint moved to `port`: 443 asks for ALPN `x-amzn-mqtt-ca` (without it IoT Core speaks
 * HTTPS there), 8883 asks for none. Host and server name stay. A broker that is not IoT Core (a local
 * edge's) listens where its edge announced at registration, so it is refused: `tunnel_port_not_applicable`.
 *
 * @example
 * withIotCorePort(config.tunnel, 443); // { host, port: 443, serverName, alpn: 'x-amzn-mqtt-ca' }
 */
export function withIotCorePort<T extends Omit<TunnelEndpoint, 'serverCaPem'>>(
  endpoint: T,
  port: IotCorePort,
): T {
  if (iotCoreRegion(endpoint.serverName) === undefined) {
    throw new BadRequestError(
      'tunnel_port_not_applicable',
      `The tunnel port can be chosen for an AWS IoT Core endpoint only; this agent's tunnel (${endpoint.serverName}:${endpoint.port}) is an edge's own broker, which listens where the edge said at registration (\`clawpulsar dev --tunnel-port\`): if it moved, register again`,
      { serverName: endpoint.serverName },
    );
  }
  const { alpn: _previous, ...rest } = endpoint;
  return (port === IOT_ALPN_PORT ? { ...rest, port, alpn: IOT_ALPN } : { ...rest, port }) as T;
}

/**
 * The command that moves the tunnel of the agent in `dir` to `port`, for advice; `--dir` only when `dir`
 * is not the default agent home.
 *
 * @example
 * tunnelPortCommand(443, '/home/me/.clawpulsar/agent', '/home/me/.clawpulsar/agent');
 * // 'clawpulsar agent tunnel set --port 443'
 */
export function tunnelPortCommand(port: IotCorePort, dir: string, defaultDir: string): string {
  const where =
    dir === defaultDir
      ? ''
      : ` --dir ${/^[\w./~+-]+$/.test(dir) ? dir : `'${dir.replaceAll("'", "'\\''")}'`}`;
  return `clawpulsar agent tunnel set --port ${port}${where}`;
}
