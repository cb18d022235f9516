// Loaded with `node --require` into a tool under test: records every AWS SDK v3 call the process makes, as one JSON
// line in $AWS_CALL_LOG: the client and command, the input, the region and service it was signed for, the access
// key that signed it, and for STS AssumeRole the session it returned, so a test can tell which principal made
// each call. Clients whose custom user agent is `aws-platform-stand-in` play AWS's own work and are not recorded.
// Plain CommonJS, so that any node process can load it, the docker stand-in included.
const { appendFileSync } = require('node:fs');
const { Client } = require('@smithy/core/client');

const log = process.env.AWS_CALL_LOG;
const instrumented = new WeakSet();
const originalSend = Client.prototype.send;

Client.prototype.send = function send(...args) {
  if (log && !instrumented.has(this)) {
    instrumented.add(this);
    if (!String(this.config.customUserAgent ?? '').includes('aws-platform-stand-in')) instrument(this.middlewareStack);
  }
  return originalSend.apply(this, args);
};

function instrument(stack) {
  stack.add(
    (next, context) => async (args) => {
      const record = { client: context.clientName, command: context.commandName, input: args.input };
      context.awsCallRecord = record;
      try {
        const result = await next(args);
        const output = result.output ?? {};
        if (output.Credentials?.AccessKeyId) {
          record.assumed = { accessKeyId: output.Credentials.AccessKeyId, arn: output.AssumedRoleUser?.Arn };
        }
        return result;
      } catch (error) {
        record.error = error.name;
        throw error;
      } finally {
        appendFileSync(log, `${JSON.stringify(record)}\n`);
      }
    },
    { step: 'initialize', name: 'awsCallRecorder', priority: 'high' },
  );
  stack.add(
    (next, context) => async (args) => {
      const authorization = String(args.request?.headers?.authorization ?? '');
      const match = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(authorization);
      if (match && context.awsCallRecord) {
        Object.assign(context.awsCallRecord, { accessKeyId: match[1], region: match[2], service: match[3] });
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'awsCallSigner', priority: 'low' },
  );
}
