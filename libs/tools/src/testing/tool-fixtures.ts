/** The test tools' argument schemas, as a tenant admin would register them. */
export const CALCULATOR_PARAMETERS = {
  type: 'object',
  properties: {
    op: { type: 'string', enum: ['add', 'sub', 'mul', 'div'] },
    a: { type: 'number' },
    b: { type: 'number' },
  },
  required: ['op', 'a', 'b'],
  additionalProperties: false,
} as const;

export const SEND_EMAIL_PARAMETERS = {
  type: 'object',
  properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } },
  required: ['to', 'subject', 'body'],
  additionalProperties: false,
} as const;

export type CalculatorOp = 'add' | 'sub' | 'mul' | 'div';

export function calculate(op: CalculatorOp, a: number, b: number): number {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return a / b;
  }
}

/** What `send_email` was asked to send (it sends nothing). */
export interface RecordedEmail {
  to: string;
  subject: string;
  body: string;
  /** The `call_id` Conduit sent (HTTP server), null when none. */
  callId: string | null;
}
