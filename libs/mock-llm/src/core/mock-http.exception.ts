/** A client error the wire error handlers render in their own body shape. */
export class MockHttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'MockHttpError';
  }
}
