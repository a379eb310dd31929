import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateThingCommand,
  type IoTClient,
  RegisterCertificateCommand,
} from '@aws-sdk/client-iot';
import { ClawPulsarError } from '../../core/errors.ts';
import type { IssuedAgentCertificate } from '../../core/registration/RegistrationDeps.ts';
import type { DynamoCertificateRepository } from './DynamoCertificateRepository.ts';
import { ignoring } from './ignoring.ts';

export interface IotAgentProvisionerDeps {
  readonly iot: IoTClient;
  readonly certificates: DynamoCertificateRepository;
  /** The IoT policy every agent certificate gets (per-agent topics through policy variables). */
  readonly policyName: string;
  /** The issuing CA, registered in IoT Core in SNI_ONLY mode by the CA bootstrap. */
  readonly caCertificatePem: string;
}

/**
 * Keeps IoT Core's registry in step with the certificates we issue. Registration follows the IoT API's
 * own wording for RegisterCertificate: "registers a device certificate with IoT in the same certificate
 * mode as the signing CA" — our CA is registered SNI_ONLY, so agent certificates are too (agents send
 * SNI), and naming the CA PEM ties each certificate to it. The certificate is ACTIVE at once, attached
 * to the agent's policy and, exclusively, to its thing (thing name = agent id = client id).
 *
 * Every step is idempotent, so a retried registration finishes what an interrupted one began. Taking
 * certificates out of IoT Core is IotCertificateLifecycle's job.
 *
 * @example
 * const provisioner = new IotAgentProvisioner({ iot, certificates, policyName, caCertificatePem });
 * const deps = { ...registration, onCertificateIssued: (c) => provisioner.register(c) };
 */
export class IotAgentProvisioner {
  readonly #deps: IotAgentProvisionerDeps;

  constructor(deps: IotAgentProvisionerDeps) {
    this.#deps = deps;
  }

  /** Registers an issued certificate with IoT Core and records its IoT ids on our record. */
  async register(issued: IssuedAgentCertificate): Promise<void> {
    const { iot, policyName, caCertificatePem, certificates } = this.#deps;
    const { certificateId, certificateArn } = await registerCertificate(
      iot,
      issued.certificatePem,
      caCertificatePem,
    );
    await ignoring('ResourceAlreadyExistsException', () =>
      iot.send(new CreateThingCommand({ thingName: issued.agentId })),
    );
    await iot.send(new AttachPolicyCommand({ policyName, target: certificateArn }));
    await iot.send(
      new AttachThingPrincipalCommand({
        thingName: issued.agentId,
        principal: certificateArn,
        thingPrincipalType: 'EXCLUSIVE_THING',
      }),
    );
    await certificates.recordIotRegistration(issued.serialNumber, { certificateId, certificateArn });
  }
}

async function registerCertificate(
  iot: IoTClient,
  certificatePem: string,
  caCertificatePem: string,
): Promise<{ certificateId: string; certificateArn: string }> {
  try {
    const result = await iot.send(
      new RegisterCertificateCommand({ certificatePem, caCertificatePem, status: 'ACTIVE' }),
    );
    if (result.certificateId && result.certificateArn) {
      return { certificateId: result.certificateId, certificateArn: result.certificateArn };
    }
  } catch (error) {
    // A retry after a partial registration: IoT names the certificate it already has.
    const existing = error as { name?: string; resourceId?: string; resourceArn?: string };
    if (existing.name === 'ResourceAlreadyExistsException' && existing.resourceId && existing.resourceArn) {
      return { certificateId: existing.resourceId, certificateArn: existing.resourceArn };
    }
    throw error;
  }
  throw new ClawPulsarError('iot_register_failed', 'IoT RegisterCertificate returned no certificate id', 500);
}
