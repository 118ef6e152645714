import { expectTypeOf, test } from 'vitest';
import type { CallUpdated, CreateCall } from '../src/documents.ts';
import { checked, graphql, type ResultOf, type VariablesOf } from '../src/graphql.ts';

// Checked by `tsc` (the `typecheck` and `build` scripts): an unused @ts-expect-error fails it.

test('a misspelt field in a document fails the typecheck', () => {
  checked(
    // @ts-expect-error `statuz` is not a field of Call
    graphql(`
      query Misspelt($id: ID!) {
        call(id: $id) {
          statuz
        }
      }
    `),
  );
  checked(graphql('query Spelt($id: ID!) { call(id: $id) { status } }'));
});

test("the documents are typed from the gateway's schema", () => {
  type State = ResultOf<typeof CallUpdated>['callUpdated'];
  expectTypeOf<State['status']>().toEqualTypeOf<
    'CANCELING' | 'DIALING' | 'HANGUP' | 'PROGRESSING' | 'RINGING' | 'TERMINATING' | 'UNKNOWN'
  >();
  expectTypeOf<State['updatedAt']>().toEqualTypeOf<string | null>();
  type Input = VariablesOf<typeof CreateCall>['input'];
  expectTypeOf<Input['source']['type']>().toExtend<string>();
  // @ts-expect-error the gender is an enum of the schema, not any string
  const gender: NonNullable<NonNullable<NonNullable<Input['actions']>[number]['talk']>['gender']> =
    'female';
  void gender;
});
