// The sandbox Todoist the fleet starts (tools/todoist-fake), as the tip
// specs use it: connecting an account of the run's own through its consent
// page, and its control API (`/__fake/…`) for what it recorded and for
// faults on demand.
import type { APIRequestContext, Page } from '@playwright/test';
import { todoistSandboxUrl } from '../playwright.config';
import { expect } from './fixtures';
import { freshLogin } from './signin';

/** A task as `GET /__fake/tasks` lists it. */
export interface FakeTask {
  id: string;
  content: string;
  checked: boolean;
  is_deleted: boolean;
  due: { is_recurring: boolean } | null;
}

/** One account's counters in `GET /__fake/stats`. */
export interface FakeUserStats {
  task_listings: number;
  close_requests: number;
  closes: number;
  reopens: number;
  closed_task_ids: string[];
  request_ids: string[];
}

/** Connects Todoist on /connect with a fresh sandbox account; returns its name. */
export async function connectTodoist(page: Page, origin: string): Promise<string> {
  await page.goto('/connect');
  await page.getByRole('button', { name: 'Connect Todoist' }).click();
  await expect(page.getByRole('heading', { name: 'Todoist sandbox' })).toBeVisible();
  const account = freshLogin('sandbox');
  await page.locator('input[name=account]').fill(account);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL(`${origin}/connect?connected=todoist`);
  return account;
}

export async function fakeTasks(request: APIRequestContext, account: string): Promise<FakeTask[]> {
  const answer = await request.get(`${todoistSandboxUrl}/__fake/tasks?account=${encodeURIComponent(account)}`);
  expect(answer.status()).toBe(200);
  return (await answer.json()) as FakeTask[];
}

export async function fakeStats(request: APIRequestContext, account: string): Promise<FakeUserStats> {
  const answer = await request.get(`${todoistSandboxUrl}/__fake/stats`);
  expect(answer.status()).toBe(200);
  const stats = (await answer.json()) as { users: Record<string, FakeUserStats> };
  return (
    stats.users[account] ?? {
      task_listings: 0,
      close_requests: 0,
      closes: 0,
      reopens: 0,
      closed_task_ids: [],
      request_ids: [],
    }
  );
}

/** Queues a fault (tools/todoist-fake/src/faults.rs: route, status, delay_ms, times). */
export async function queueFault(
  request: APIRequestContext,
  spec: { route: string; status?: number; delay_ms?: number; times?: number },
): Promise<void> {
  const answer = await request.post(`${todoistSandboxUrl}/__fake/faults`, { data: spec });
  expect(answer.status(), 'the fault was queued').toBe(201);
}

/** Uses up whatever faults are still queued (so later tests meet a healthy
 *  Todoist): each request to a fault route consumes one, before any auth. */
export async function drainFaults(request: APIRequestContext): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const answer = await request.get(`${todoistSandboxUrl}/__fake/faults`);
    const { pending } = (await answer.json()) as { pending: { remaining: number }[] };
    const left = pending.reduce((n, f) => n + f.remaining, 0);
    if (left === 0) return;
    await Promise.all(
      Array.from({ length: left }, () =>
        request.get(`${todoistSandboxUrl}/api/v1/tasks`, { failOnStatusCode: false, timeout: 30_000 }),
      ),
    );
  }
}
