import { createHash, X509Certificate } from 'node:crypto';
import {
  type AttachPolicyCommandInput,
  type AttachThingPrincipalCommandInput,
  CertificateStateException,
  CertificateValidationException,
  type CreateThingCommandInput,
  type DeleteCACertificateCommandInput,
  type DeleteCertificateCommandInput,
  DeleteConflictException,
  type DetachPolicyCommandInput,
  type DetachThingPrincipalCommandInput,
  InvalidRequestException,
  type RegisterCACertificateCommandInput,
  type RegisterCertificateCommandInput,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  type UpdateCACertificateCommandInput,
  type UpdateCertificateCommandInput,
} from '@aws-sdk/client-iot';

const ACCOUNT = 'arn:aws:iot:eu-west-1:111122223333';

interface RegisteredCertificate {
  status: string;
  readonly caId?: string;
  readonly mode: string;
  readonly policies: Set<string>;
  readonly things: Set<string>;
}

/**
 * IoT Core's certificate registry in process, enough to hold the adapters to the API's rules: a device
 * certificate registers only when its CA is registered and active and actually signed it, takes the
 * CA's certificate mode, and can be deleted only when inactive and detached from things (policies too,
 * unless forceDelete); an EXCLUSIVE_THING principal attaches to one thing only; ids are the SHA-256 of
 * the certificate as IoT's are.
 */
export class FakeIotRegistry {
  readonly cas = new Map<string, { status: string; readonly mode: string; readonly pem: string }>();
  readonly certificates = new Map<string, RegisteredCertificate>();
  readonly things = new Set<string>();
  readonly calls: { readonly name: string; readonly input: unknown }[] = [];

  registerCACertificate(input: RegisterCACertificateCommandInput) {
    this.calls.push({ name: 'RegisterCACertificate', input });
    const id = certificateIdOf(input.caCertificate ?? '');
    if (this.cas.has(id)) throw exists(id, `${ACCOUNT}:cacert/${id}`);
    if (input.certificateMode !== 'SNI_ONLY' && !input.verificationCertificate) {
      throw new InvalidRequestException({
        message: 'DEFAULT mode needs a verification certificate',
        $metadata: {},
      });
    }
    this.cas.set(id, {
      status: input.setAsActive ? 'ACTIVE' : 'INACTIVE',
      mode: input.certificateMode ?? 'DEFAULT',
      pem: input.caCertificate ?? '',
    });
    return { certificateId: id, certificateArn: `${ACCOUNT}:cacert/${id}` };
  }

  updateCACertificate(input: UpdateCACertificateCommandInput) {
    this.calls.push({ name: 'UpdateCACertificate', input });
    const ca = this.cas.get(input.certificateId ?? '');
    if (!ca) throw notFound();
    if (input.newStatus) ca.status = input.newStatus;
    return {};
  }

  deleteCACertificate(input: DeleteCACertificateCommandInput) {
    this.calls.push({ name: 'DeleteCACertificate', input });
    const ca = this.cas.get(input.certificateId ?? '');
    if (!ca) throw notFound();
    if (ca.status !== 'INACTIVE')
      throw new CertificateStateException({ message: 'CA must be inactive', $metadata: {} });
    if ([...this.certificates.values()].some((c) => c.caId === input.certificateId)) {
      throw new CertificateStateException({ message: 'CA still has registered certificates', $metadata: {} });
    }
    this.cas.delete(input.certificateId ?? '');
    return {};
  }

  registerCertificate(input: RegisterCertificateCommandInput) {
    this.calls.push({ name: 'RegisterCertificate', input });
    const caId = input.caCertificatePem ? certificateIdOf(input.caCertificatePem) : undefined;
    const ca = caId === undefined ? undefined : this.cas.get(caId);
    if (ca?.status !== 'ACTIVE')
      throw new CertificateValidationException({ message: 'CA is not registered and active', $metadata: {} });
    const device = new X509Certificate(input.certificatePem ?? '');
    if (!device.verify(new X509Certificate(ca.pem).publicKey)) {
      throw new CertificateValidationException({
        message: 'Certificate is not signed by the CA',
        $metadata: {},
      });
    }
    const id = certificateIdOf(input.certificatePem ?? '');
    if (this.certificates.has(id)) throw exists(id, `${ACCOUNT}:cert/${id}`);
    this.certificates.set(id, {
      status: input.status ?? 'INACTIVE',
      ...(caId ? { caId } : {}),
      mode: ca.mode,
      policies: new Set(),
      things: new Set(),
    });
    return { certificateId: id, certificateArn: `${ACCOUNT}:cert/${id}` };
  }

  createThing(input: CreateThingCommandInput) {
    this.calls.push({ name: 'CreateThing', input });
    this.things.add(input.thingName ?? '');
    return { thingName: input.thingName, thingArn: `${ACCOUNT}:thing/${input.thingName}` };
  }

  attachPolicy(input: AttachPolicyCommandInput) {
    this.calls.push({ name: 'AttachPolicy', input });
    this.#byArn(input.target).policies.add(input.policyName ?? '');
    return {};
  }

  attachThingPrincipal(input: AttachThingPrincipalCommandInput) {
    this.calls.push({ name: 'AttachThingPrincipal', input });
    if (!this.things.has(input.thingName ?? '')) throw notFound();
    const certificate = this.#byArn(input.principal);
    if (
      input.thingPrincipalType === 'EXCLUSIVE_THING' &&
      certificate.things.size > 0 &&
      !certificate.things.has(input.thingName ?? '')
    ) {
      throw new InvalidRequestException({
        message: 'Principal is exclusively attached elsewhere',
        $metadata: {},
      });
    }
    certificate.things.add(input.thingName ?? '');
    return {};
  }

  updateCertificate(input: UpdateCertificateCommandInput) {
    this.calls.push({ name: 'UpdateCertificate', input });
    const certificate = this.certificates.get(input.certificateId ?? '');
    if (!certificate) throw notFound();
    certificate.status = input.newStatus ?? certificate.status;
    return {};
  }

  detachThingPrincipal(input: DetachThingPrincipalCommandInput) {
    this.calls.push({ name: 'DetachThingPrincipal', input });
    this.#byArn(input.principal).things.delete(input.thingName ?? '');
    return {};
  }

  detachPolicy(input: DetachPolicyCommandInput) {
    this.calls.push({ name: 'DetachPolicy', input });
    this.#byArn(input.target).policies.delete(input.policyName ?? '');
    return {};
  }

  deleteCertificate(input: DeleteCertificateCommandInput) {
    this.calls.push({ name: 'DeleteCertificate', input });
    const certificate = this.certificates.get(input.certificateId ?? '');
    if (!certificate) throw notFound();
    if (certificate.status === 'ACTIVE')
      throw new CertificateStateException({ message: 'Certificate is active', $metadata: {} });
    if (certificate.things.size > 0 || (certificate.policies.size > 0 && !input.forceDelete)) {
      throw new DeleteConflictException({ message: 'Certificate is still attached', $metadata: {} });
    }
    this.certificates.delete(input.certificateId ?? '');
    return {};
  }

  /** The names of the calls made so far, in order. */
  callNames(): string[] {
    return this.calls.map((call) => call.name);
  }

  #byArn(arn: string | undefined): RegisteredCertificate {
    const id = (arn ?? '').split('/').pop() ?? '';
    const certificate = this.certificates.get(id);
    if (!certificate) throw notFound();
    return certificate;
  }
}

/** IoT's certificate id: the SHA-256 of the DER certificate, lower-case hex. */
export function certificateIdOf(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

function exists(resourceId: string, resourceArn: string): ResourceAlreadyExistsException {
  return new ResourceAlreadyExistsException({
    message: 'The resource already exists.',
    $metadata: {},
    resourceId,
    resourceArn,
  });
}

function notFound(): ResourceNotFoundException {
  return new ResourceNotFoundException({ message: 'The specified resource does not exist.', $metadata: {} });
}
