import { base64ToFloat32, float32ToArray, float32ToBase64, toFloat32 } from './embedding-encoding';

describe('embedding encodings', () => {
  it('base64 is little-endian float32 bytes, as OpenAI sends them', () => {
    // 1.0f = 0x3f800000, -2.0f = 0xc0000000: little-endian bytes 00 00 80 3f, 00 00 00 c0.
    expect(float32ToBase64(Float32Array.of(1, -2))).toBe(Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]).toString('base64'));
  });

  it('decodes as the openai client decodes it (a Float32Array view of the bytes) to the float encoding\'s numbers', () => {
    const vector = toFloat32([0.1, -0.25, 0.3333333333, 1e-8, -0.9999]);
    const bytes = Buffer.from(float32ToBase64(vector), 'base64');
    const asTheClientReadsIt = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    expect(asTheClientReadsIt).toEqual(float32ToArray(vector));
    expect(Array.from(base64ToFloat32(float32ToBase64(vector)))).toEqual(float32ToArray(vector));
  });

  it('rounds to float32, so both encodings carry identical numbers', () => {
    const [value] = float32ToArray(toFloat32([0.1]));
    expect(value).not.toBe(0.1);
    expect(value).toBe(Math.fround(0.1));
  });

  it('refuses base64 that is not whole float32 values', () => {
    expect(() => base64ToFloat32(Buffer.from([1, 2, 3]).toString('base64'))).toThrow(RangeError);
  });
});
