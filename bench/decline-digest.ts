/**
 * A digest of every offer the DeclineOffers benchmark makes (ids, agents,
 * resources in wire form), so that a performance change can be checked to
 * leave the offers byte for byte the same.
 * Usage: node --max-old-space-size=12000 dist/bench/decline-digest.js 1000x100 [rounds]
 */
import { createHash } from 'node:crypto';
import { runDeclineOffers } from './decline-offers.js';

function main(): void {
  const shape = process.argv.find((arg) => /^\d+x\d+$/.test(arg)) ?? '1000x100';
  const [agents, frameworks] = shape.split('x').map(Number) as [number, number];
  const rounds = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 30);
  const hash = createHash('sha256');
  let offers = 0;
  runDeclineOffers(agents, frameworks, rounds, {
    afterCycle: (all) => {
      for (const framework of all) {
        for (const offer of framework.offers.values()) {
          offers++;
          hash.update(`${framework.id ?? ''} ${JSON.stringify(offer)}\n`);
        }
      }
    },
  });
  process.stdout.write(`${shape} x ${rounds} rounds: ${offers} offers, digest ${hash.digest('hex')}\n`);
}

main();
