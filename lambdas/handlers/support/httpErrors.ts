import type { MiddlewareObj } from '@middy/core';
import { ClawPulsarError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import { type ApiGatewayV2Result, jsonResult } from './apiGatewayEvent.ts';
import { errorName } from './lambdaLogger.ts';

/**
 * A middy middleware that turns any error into the API's error shape `{ error: { code, message } }`, in
 * one place for every HTTP handler: a ClawPulsarError under 500 keeps its status, code and message
 * (written for the caller, never holding a secret); anything else becomes a bare 500 (or 503 for
 * UnavailableError) and only its name is logged — a message could quote input.
 *
 * @example
 * export const handler = middy(route).use(httpErrors(logger));
 */
export function httpErrors(logger: Logger): MiddlewareObj<unknown, ApiGatewayV2Result> {
  return {
    name: 'clawpulsar-http-errors',
    onError: (request) => {
      const error = request.error;
      if (error instanceof ClawPulsarError && error.status < 500) {
        request.response = jsonResult(error.status, { error: { code: error.code, message: error.message } });
        return;
      }
      const status = error instanceof ClawPulsarError ? error.status : 500;
      logger.error('request_failed', { error: errorName(error), status });
      request.response = jsonResult(status, {
        error:
          status === 503
            ? { code: 'unavailable', message: 'A dependency is unavailable; retry later' }
            : { code: 'internal', message: 'Internal error; see the function logs' },
      });
    },
  };
}
