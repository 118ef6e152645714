import { builder } from '../builder.ts';
import './scalars.ts';
import './address.ts';
import './action.ts';
import './refs.ts';
import './call.ts';
import './groupcall.ts';
import './flow.ts';
import './control.ts';
import './subscription.ts';

/** The gateway's GraphQL schema. */
export const schema = builder.toSchema({ sortSchema: true });
