/**
 * Method: one error per stage worded for each caller (the table in
 * messages.ts), checked against the upstream texts of spec 2.0.2, 2.0.5 and 5.1.
 */
import { describe, expect, it } from 'vitest';
import { acceptErrorMessage, describeAgent, operatorErrorMessage } from './messages.js';
import { agent } from './testing/fixtures.js';
import type { OperationError } from './types.js';

const facts = agent();
const structure: OperationError = { stage: 'structure', message: "Resource 'ports:[5-1]' is invalid: Invalid ranges resource: begin > end" };
const validation: OperationError = { stage: 'validation', message: 'Persistent volumes not found' };
const apply: OperationError = { stage: 'apply', message: 'cpus:1 does not contain cpus:2' };

describe('operations: messages', () => {
  it('operations: messages: the agent is named by id and hostname', () => {
    expect(describeAgent(facts)).toBe('agent-1 (host-1)');
  });

  it('operations: messages: an ACCEPT drops with the pipeline prefix or the agent suffix', () => {
    expect(acceptErrorMessage(structure, facts)).toBe(`Operation attempted with invalid resources: ${structure.message}`);
    expect(acceptErrorMessage(validation, facts)).toBe('Persistent volumes not found; on agent agent-1 (host-1)');
    expect(acceptErrorMessage(apply, facts)).toBe('cpus:1 does not contain cpus:2');
  });

  it.each([
    ['RESERVE', 'Invalid RESERVE operation on agent agent-1 (host-1): Persistent volumes not found'],
    ['UNRESERVE', 'Invalid UNRESERVE operation: Persistent volumes not found'],
    ['CREATE', 'Invalid CREATE operation on agent agent-1 (host-1): Persistent volumes not found'],
    ['DESTROY', 'Invalid DESTROY operation: Persistent volumes not found'],
    ['GROW_VOLUME', 'Invalid GROW_VOLUME operation on agent agent-1 (host-1): Persistent volumes not found'],
    ['SHRINK_VOLUME', 'Invalid SHRINK_VOLUME operation on agent agent-1 (host-1): Persistent volumes not found'],
  ] as const)('operations: messages: the operator API words a %s validation error as upstream', (type, text) => {
    expect(operatorErrorMessage(type, validation, facts)).toBe(text);
  });

  it('operations: messages: the operator API gives structure and apply errors bare', () => {
    expect(operatorErrorMessage('CREATE', structure, facts)).toBe(structure.message);
    expect(operatorErrorMessage('CREATE', apply, facts)).toBe(apply.message);
  });
});
