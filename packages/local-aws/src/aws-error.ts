/** An error the emulator answers with, in the shape the AWS SDK turns into a named exception. */
export class AwsError extends Error {
  constructor(
    /** The exception's name as the SDK models it, e.g. InvalidParameterException. */
    readonly code: string,
    message: string,
    /** HTTP status: 400 for client faults, 500 for server faults. */
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterException', message);
}

/** Body of an awsJson1_0 / awsJson1_1 error answer (`__type` is what the SDK reads). */
export function jsonErrorBody(error: AwsError): string {
  return JSON.stringify({ __type: error.code, message: error.message });
}

/** Body of an awsQuery (ELBv2, EC2-style XML) error answer. */
export function queryErrorBody(error: AwsError): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>local-aws</RequestId></ErrorResponse>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
