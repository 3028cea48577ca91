// Handlers for tests/peers/test_aws_ric.c, one per outcome a function can have.
"use strict";

// Returns: a status other than 200, a header and a body that echo the request
// id, and one log line, so the test can tie the answer to its log and REPORT.
exports.returns = async (event, context) => {
  console.log(`handled ${event.rawPath}`);
  return {
    statusCode: 201,
    headers: { "content-type": "application/json", "x-request-id": context.awsRequestId },
    body: JSON.stringify({ path: event.rawPath, method: event.requestContext.http.method }),
  };
};

// Throws: the client reports a function error of this type.
exports.throws = async () => {
  throw new TypeError("thrown by the handler");
};

// Never answers: the platform's timeout ends it.
exports.hangs = () => new Promise(() => setTimeout(() => {}, 600000));

// Exits mid-invocation: the instance dies.
exports.crashes = async () => {
  process.exit(3);
};

// Returns 7 MiB, over the 6 MB a synchronous invocation may answer.
exports.oversized = async () => ({ statusCode: 200, body: "x".repeat(7 * 1024 * 1024) });
