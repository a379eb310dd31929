import {
  DeleteCACertificateCommand,
  type IoTClient,
  RegisterCACertificateCommand,
  UpdateCACertificateCommand,
} from '@aws-sdk/client-iot';
import { ClawPulsarError } from '../../core/errors.ts';

/** The issuing CA as IoT Core knows it. */
export interface RegisteredCa {
  readonly caCertificateId: string;
  readonly caCertificateArn: string;
}

/**
 * Registers the issuing CA with IoT Core in SNI_ONLY mode — no verification certificate, so the CA key
 * (in KMS) never signs anything but agent certificates — active, without auto-registration: every agent
 * certificate is registered explicitly at issuance.
 *
 * @example
 * const ca = await new IotCaRegistry(iot).register(caPem);
 */
export class IotCaRegistry {
  readonly #iot: IoTClient;

  constructor(iot: IoTClient) {
    this.#iot = iot;
  }

  async register(caCertificatePem: string): Promise<RegisteredCa> {
    let result: { certificateId?: string | undefined; certificateArn?: string | undefined };
    try {
      result = await this.#iot.send(
        new RegisterCACertificateCommand({
          caCertificate: caCertificatePem,
          certificateMode: 'SNI_ONLY',
          setAsActive: true,
          allowAutoRegistration: false,
        }),
      );
    } catch (error) {
      const existing = error as { name?: string; resourceId?: string; resourceArn?: string };
      if (
        existing.name !== 'ResourceAlreadyExistsException' ||
        !existing.resourceId ||
        !existing.resourceArn
      ) {
        throw error;
      }
      result = { certificateId: existing.resourceId, certificateArn: existing.resourceArn };
    }
    if (!result.certificateId || !result.certificateArn) {
      throw new ClawPulsarError('iot_register_failed', 'IoT RegisterCACertificate returned no id', 500);
    }
    return { caCertificateId: result.certificateId, caCertificateArn: result.certificateArn };
  }

  /**
   * Deactivates the CA (IoT then refuses every certificate it signed) and deletes it when IoT allows;
   * returns whether it was deleted. IoT keeps a CA that still has registered certificates.
   */
  async remove(caCertificateId: string): Promise<boolean> {
    try {
      await this.#iot.send(
        new UpdateCACertificateCommand({ certificateId: caCertificateId, newStatus: 'INACTIVE' }),
      );
      await this.#iot.send(new DeleteCACertificateCommand({ certificateId: caCertificateId }));
      return true;
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'ResourceNotFoundException') return true;
      if (name === 'CertificateStateException' || name === 'DeleteConflictException') return false;
      throw error;
    }
  }
}
