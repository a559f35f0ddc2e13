import { randomUUID } from 'node:crypto';
import { feedbackTotal } from '@conduit/observability';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MessageRole, MessageStatus, Prisma, PrismaService, Session } from '@conduit/db';
import type { ListPage } from '../sessions/list-page';
import { expectApiError } from '../testing/api-error.assertion';
import { createMessage, createSession, createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser } from '@conduit/testing';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import type { MessageObject } from './messages.dto';
import { MessagesModule } from './messages.module';

type Method = 'GET' | 'POST';

describe('messages API', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let alice: TenantWithUser;
  const tenants: { id: string }[] = [];

  const call = (method: Method, url: string, auth: string | undefined, payload?: unknown) =>
    app.inject({ method, url, headers: auth ? { authorization: auth } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });

  const newTenant = async () => {
    const owner = await createTenantWithUser(prisma);
    tenants.push(owner.tenant);
    return owner;
  };

  /** A session with `count` alternating user/assistant messages, one second apart, plus ties. */
  const conversation = async (owner: TenantWithUser, stamps: number[]) => {
    const session = await createSession(prisma, owner);
    const base = Date.now() - 120_000;
    for (const [i, offset] of stamps.entries()) {
      await createMessage(prisma, session, {
        role: i % 2 === 0 ? MessageRole.user : MessageRole.assistant,
        content: `m${i}`,
        createdAt: new Date(base + offset),
      });
    }
    const ordered = await prisma.message.findMany({ where: { sessionId: session.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return { session, ids: ordered.map((m) => m.id) };
  };

  beforeAll(async () => {
    // MessagesModule alone: it brings SessionsModule (assertOwned) with it.
    app = await createGatewayTestApp([MessagesModule]);
    prisma = app.get(PrismaService);
    alice = await newTenant();
  }, 30_000);

  afterAll(async () => {
    if (prisma) await removeTenants(prisma, tenants);
    await app?.close();
  });

  describe('GET /v1/sessions/:id/messages', () => {
    it('returns the full message object', async () => {
      const session = await createSession(prisma, alice);
      const message = await createMessage(prisma, session, {
        content: 'The answer is 42.',
        status: MessageStatus.partial,
        model: 'mock-1',
        provider: 'mock',
        tokensIn: 12,
        tokensOut: 34,
        costUsd: new Prisma.Decimal('0.00012345'),
        latencyMs: 250,
        ttftMs: 40,
        rating: -1,
        feedbackComment: 'wrong',
        metadata: { trace_id: 'abc' },
      });
      const res = await call('GET', `/v1/sessions/${session.id}/messages`, alice.authHeader);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        object: 'list',
        data: [
          {
            id: message.id,
            object: 'message',
            session_id: session.id,
            role: 'assistant',
            content: 'The answer is 42.',
            status: 'partial',
            model: 'mock-1',
            provider: 'mock',
            usage: { prompt_tokens: 12, completion_tokens: 34 },
            cost_usd: 0.00012345,
            latency_ms: 250,
            ttft_ms: 40,
            rating: 'down',
            feedback_comment: 'wrong',
            metadata: { trace_id: 'abc' },
            created_at: Math.floor(message.createdAt.getTime() / 1000),
          },
        ],
        has_more: false,
        first_id: message.id,
        last_id: message.id,
      });
    });

    it('defaults: oldest first, unrated messages have nulls', async () => {
      const { session, ids } = await conversation(alice, [0, 1000, 2000]);
      const page = (await call('GET', `/v1/sessions/${session.id}/messages`, alice.authHeader)).json<ListPage<MessageObject>>();
      expect(page.data.map((m) => m.id)).toEqual(ids);
      expect(page.data.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect(page.data[0]).toMatchObject({ rating: null, feedback_comment: null, model: null, cost_usd: 0, latency_ms: null, status: 'complete' });
    });

    it('pages both ways with limit and after, ties on created_at included', async () => {
      const { session, ids } = await conversation(alice, [0, 1000, 1000, 1000, 2000, 3000, 3000]);
      for (const order of ['asc', 'desc'] as const) {
        const expected = order === 'asc' ? ids : [...ids].reverse();
        const seen: string[] = [];
        const more: boolean[] = [];
        let after: string | null = null;
        for (let guard = 0; guard < 10; guard += 1) {
          const url = `/v1/sessions/${session.id}/messages?limit=3&order=${order}${after ? `&after=${after}` : ''}`;
          const res = await call('GET', url, alice.authHeader);
          expect(res.statusCode).toBe(200);
          const page = res.json<ListPage<MessageObject>>();
          expect(page.first_id).toBe(page.data[0]?.id);
          expect(page.last_id).toBe(page.data[page.data.length - 1]?.id);
          seen.push(...page.data.map((m) => m.id));
          more.push(page.has_more);
          if (!page.has_more) break;
          after = page.last_id;
        }
        expect(seen).toEqual(expected);
        expect(more).toEqual([true, true, false]);
      }
    });

    it('only shows messages of the requested session', async () => {
      const a = await conversation(alice, [0, 1000]);
      const b = await conversation(alice, [500]);
      const page = (await call('GET', `/v1/sessions/${a.session.id}/messages?limit=100`, alice.authHeader)).json<ListPage<MessageObject>>();
      expect(page.data.map((m) => m.id)).toEqual(a.ids);
      expect(page.data.map((m) => m.id)).not.toContain(b.ids[0]);
    });

    it('rejects a cursor from another session or an unknown one with 400 invalid_cursor', async () => {
      const a = await conversation(alice, [0, 1000]);
      const b = await conversation(alice, [0]);
      for (const after of [b.ids[0], randomUUID()]) {
        expectApiError(await call('GET', `/v1/sessions/${a.session.id}/messages?after=${after}`, alice.authHeader), 400, 'invalid_cursor', 'after');
      }
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['order=newest', 'order'],
      ['after=42', 'after'],
      ['sort=asc', null],
    ])('rejects the query %s with 400 invalid_request', async (query, param) => {
      const session = await createSession(prisma, alice);
      expectApiError(await call('GET', `/v1/sessions/${session.id}/messages?${query}`, alice.authHeader), 400, 'invalid_request', param);
    });

    it('defaults to 50 per page', async () => {
      const session = await createSession(prisma, alice);
      const base = Date.now() - 60_000;
      await prisma.message.createMany({
        data: Array.from({ length: 51 }, (_, i) => ({
          sessionId: session.id,
          tenantId: alice.tenant.id,
          userId: alice.user.id,
          role: MessageRole.user,
          content: `m${i}`,
          createdAt: new Date(base + i),
        })),
      });
      const page = (await call('GET', `/v1/sessions/${session.id}/messages`, alice.authHeader)).json<ListPage<MessageObject>>();
      expect(page.data).toHaveLength(50);
      expect(page.has_more).toBe(true);
      expect(page.data[0].content).toBe('m0');
    });
  });

  describe('POST /v1/messages/:id/feedback', () => {
    let session: Session;

    beforeAll(async () => {
      session = await createSession(prisma, alice);
    });

    const stored = (id: string) => prisma.message.findUniqueOrThrow({ where: { id }, select: { rating: true, feedbackComment: true } });

    const feedbackCount = async (rating: string) =>
      (await feedbackTotal.get()).values.find((value) => value.labels.rating === rating)?.value ?? 0;

    it('rates an assistant message up and returns the message', async () => {
      const message = await createMessage(prisma, session, { content: 'good answer' });
      const upBefore = await feedbackCount('up');
      const res = await call('POST', `/v1/messages/${message.id}/feedback`, alice.authHeader, { rating: 'up' });
      expect(res.statusCode).toBe(200);
      expect(await feedbackCount('up')).toBe(upBefore + 1); // conduit_feedback_total{rating}
      expect(res.json()).toMatchObject({
        id: message.id,
        object: 'message',
        session_id: session.id,
        role: 'assistant',
        content: 'good answer',
        rating: 'up',
        feedback_comment: null,
      });
      expect(await stored(message.id)).toEqual({ rating: 1, feedbackComment: null });
    });

    it('rates down with a comment, and a new rating overwrites the old one (comment included)', async () => {
      const message = await createMessage(prisma, session);
      const down = await call('POST', `/v1/messages/${message.id}/feedback`, alice.authHeader, { rating: 'down', comment: 'made up a citation' });
      expect(down.statusCode).toBe(200);
      expect(down.json()).toMatchObject({ rating: 'down', feedback_comment: 'made up a citation' });
      expect(await stored(message.id)).toEqual({ rating: -1, feedbackComment: 'made up a citation' });

      const up = await call('POST', `/v1/messages/${message.id}/feedback`, alice.authHeader, { rating: 'up' });
      expect(up.json()).toMatchObject({ rating: 'up', feedback_comment: null });
      expect(await stored(message.id)).toEqual({ rating: 1, feedbackComment: null });

      const again = await call('POST', `/v1/messages/${message.id}/feedback`, alice.authHeader, { rating: 'down', comment: 'x'.repeat(2000) });
      expect(again.statusCode).toBe(200);
      expect(await stored(message.id)).toEqual({ rating: -1, feedbackComment: 'x'.repeat(2000) });

      const listed = (await call('GET', `/v1/sessions/${session.id}/messages?limit=100`, alice.authHeader)).json<ListPage<MessageObject>>();
      expect(listed.data.find((m) => m.id === message.id)).toMatchObject({ rating: 'down', feedback_comment: 'x'.repeat(2000) });
    });

    it.each([MessageRole.user, MessageRole.system, MessageRole.tool])('refuses feedback on a %s message with 400 feedback_not_allowed', async (role) => {
      const message = await createMessage(prisma, session, { role });
      expectApiError(await call('POST', `/v1/messages/${message.id}/feedback`, alice.authHeader, { rating: 'up' }), 400, 'feedback_not_allowed');
      expect(await stored(message.id)).toEqual({ rating: null, feedbackComment: null });
    });

    it.each([
      ['a wrong rating', { rating: 'meh' }, 'rating'],
      ['a numeric rating', { rating: 1 }, 'rating'],
      ['no rating', { comment: 'hm' }, 'rating'],
      ['an oversize comment', { rating: 'down', comment: 'x'.repeat(2001) }, 'comment'],
      ['an unknown field', { rating: 'up', score: 5 }, null],
      ['a body that is not an object', ['up'], null],
    ])('rejects %s with 400 invalid_request and leaves the message alone', async (_label, payload, param) => {
      const message = await createMessage(prisma, session);
      expectApiError(await call('POST', `/v1/messages/${message.id}/feedback`, alice.authHeader, payload), 400, 'invalid_request', param);
      expect(await stored(message.id)).toEqual({ rating: null, feedbackComment: null });
    });

    it('rejects a missing body with 400', async () => {
      const message = await createMessage(prisma, session);
      const res = await call('POST', `/v1/messages/${message.id}/feedback`, alice.authHeader);
      expect(res.statusCode).toBe(400);
      expect(res.json<{ error: { type: string } }>().error.type).toBe('invalid_request_error');
    });

    it('answers 404 message_not_found for unknown and malformed ids', async () => {
      for (const id of [randomUUID(), 'not-a-uuid', session.id]) {
        expectApiError(await call('POST', `/v1/messages/${id}/feedback`, alice.authHeader, { rating: 'up' }), 404, 'message_not_found', 'id');
      }
    });

    it('answers 401 authentication_error without a valid key', async () => {
      const message = await createMessage(prisma, session);
      expectApiError(await call('POST', `/v1/messages/${message.id}/feedback`, undefined, { rating: 'up' }), 401, 'missing_api_key');
      expectApiError(await call('POST', `/v1/messages/${message.id}/feedback`, 'Bearer cdt_wrong', { rating: 'up' }), 401, 'invalid_api_key');
      expectApiError(await call('GET', `/v1/sessions/${session.id}/messages`, undefined), 401, 'missing_api_key');
      expect(await stored(message.id)).toEqual({ rating: null, feedbackComment: null });
    });
  });

  describe('isolation between users and tenants', () => {
    it("never lets another user list or rate someone's messages: 404, whatever the message's role", async () => {
      const owner = await newTenant();
      const colleague = await createUserWithKey(prisma, owner.tenant);
      const outsider = await newTenant();
      const session = await createSession(prisma, owner);
      const question = await createMessage(prisma, session, { role: MessageRole.user, content: 'private question' });
      const answer = await createMessage(prisma, session, { content: 'private answer' });

      for (const stranger of [colleague, outsider]) {
        const list = await call('GET', `/v1/sessions/${session.id}/messages`, stranger.authHeader);
        expectApiError(list, 404, 'session_not_found', 'id');
        expect(list.body).not.toContain('private');
        // A foreign user message must not answer feedback_not_allowed: that would reveal it exists.
        for (const message of [answer, question]) {
          const res = await call('POST', `/v1/messages/${message.id}/feedback`, stranger.authHeader, { rating: 'down', comment: 'spam' });
          expectApiError(res, 404, 'message_not_found', 'id');
          expect(res.body).not.toContain('private');
        }
      }
      expect(await prisma.message.findMany({ where: { sessionId: session.id }, select: { rating: true, feedbackComment: true } })).toEqual([
        { rating: null, feedbackComment: null },
        { rating: null, feedbackComment: null },
      ]);

      // The owner still can.
      const own = await call('POST', `/v1/messages/${answer.id}/feedback`, owner.authHeader, { rating: 'up' });
      expect(own.statusCode).toBe(200);
    });

    it('does not accept another user\'s message as a cursor', async () => {
      const owner = await newTenant();
      const mine = await createSession(prisma, owner);
      await createMessage(prisma, mine);
      const foreign = await createMessage(prisma, await createSession(prisma, alice));
      expectApiError(await call('GET', `/v1/sessions/${mine.id}/messages?after=${foreign.id}`, owner.authHeader), 400, 'invalid_cursor', 'after');
    });
  });
});
