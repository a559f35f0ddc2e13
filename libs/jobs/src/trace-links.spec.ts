import { linkTo } from './trace-links';

describe('linkTo', () => {
  it('turns a stored W3C traceparent into a span link', () => {
    const [link] = linkTo('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(link.context).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' });
  });

  it('links nothing when there is no usable traceparent', () => {
    expect(linkTo(null)).toEqual([]);
    expect(linkTo('garbage')).toEqual([]);
  });
});
