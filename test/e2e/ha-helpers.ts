/** What the HA tests ask of several masters: how each answers, and which one leads. */
import { waitFor, type ProcessHandle } from '../support/cluster.js';

/** How a master answers /master/state without following redirects: 200 if it leads, 307 to the leader, 503; 0 when it does not answer. */
export async function stateAnswer(master: ProcessHandle): Promise<{ status: number; location: string | null }> {
  try {
    const answer = await fetch(`${master.url}/master/state`, { redirect: 'manual' });
    await answer.body?.cancel();
    return { status: answer.status, location: answer.headers.get('location') };
  } catch {
    return { status: 0, location: null };
  }
}

/** The one master among `masters` that leads, once exactly one answers 200. */
export async function leaderAmong(masters: readonly ProcessHandle[]): Promise<ProcessHandle> {
  return waitFor(
    async () => {
      const answers = await Promise.all(masters.map(stateAnswer));
      const leaders = masters.filter((_, index) => answers[index]?.status === 200);
      return leaders.length === 1 ? leaders[0] : undefined;
    },
    { message: 'exactly one leading master', timeoutMs: 20_000 },
  );
}
