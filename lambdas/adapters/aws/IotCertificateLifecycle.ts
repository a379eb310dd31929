import {
  DeleteCertificateCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  type IoTClient,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import {
  type DynamoCertificateRepository,
  type IotCertificateRecord,
  isActiveInIot,
} from './DynamoCertificateRepository.ts';
import { ignoring } from './ignoring.ts';

export interface IotCertificateLifecycleDeps {
  readonly iot: IoTClient;
  readonly certificates: DynamoCertificateRepository;
}

/**
 * Takes agent certificates out of service in IoT Core: deactivation (IoT refuses new connections with
 * the certificate) when one is superseded or revoked, and removal (detach from thing and policy, delete)
 * once it is of no further use. Each step is idempotent and recorded on our certificate record, so an
 * interrupted sweep is finished by the next one.
 *
 * @example
 * const lifecycle = new IotCertificateLifecycle({ iot, certificates });
 * for (const record of await certificates.listRetirable(Date.now())) await lifecycle.retire(record, policyName);
 */
export class IotCertificateLifecycle {
  readonly #deps: IotCertificateLifecycleDeps;

  constructor(deps: IotCertificateLifecycleDeps) {
    this.#deps = deps;
  }

  /** Deactivates the certificate in IoT Core: new connections with it are refused from now on. */
  async deactivate(record: IotCertificateRecord): Promise<void> {
    if (!isActiveInIot(record)) return;
    const { certificateId } = record.iot;
    await ignoring('ResourceNotFoundException', () =>
      this.#deps.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' })),
    );
    await this.#deps.certificates.recordIotState(record.serialNumber, 'INACTIVE');
  }

  /**
   * Removes the certificate from IoT Core: deactivate, detach from its thing and from `policyName`, delete. Returns
   * false when IoT still holds an attachment (detaching is eventually consistent); the next sweep
   * finishes it.
   */
  async retire(record: IotCertificateRecord, policyName: string): Promise<boolean> {
    const iotRecord = record.iot;
    if (!iotRecord || iotRecord.state === 'DELETED') return true;
    const { iot, certificates } = this.#deps;
    await this.deactivate(record);
    await ignoring('ResourceNotFoundException', () =>
      iot.send(
        new DetachThingPrincipalCommand({ thingName: record.agentId, principal: iotRecord.certificateArn }),
      ),
    );
    await ignoring('ResourceNotFoundException', () =>
      iot.send(new DetachPolicyCommand({ policyName, target: iotRecord.certificateArn })),
    );
    try {
      await ignoring('ResourceNotFoundException', () =>
        iot.send(new DeleteCertificateCommand({ certificateId: iotRecord.certificateId, forceDelete: true })),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'DeleteConflictException') return false;
      throw error;
    }
    await certificates.recordIotState(record.serialNumber, 'DELETED');
    return true;
  }
}
