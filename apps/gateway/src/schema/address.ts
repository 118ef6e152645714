import { ADDRESS_TYPES, type ResponseAddress } from '@voipbin-kit/core';
import { builder } from '../builder.ts';
import { voipbinEnum } from './enums.ts';

export const AddressType = voipbinEnum(
  'AddressType',
  ADDRESS_TYPES,
  'What an address points at (VoIPBIN `CommonAddress.type`). Closed, as the contract names it: an answer with a type this gateway does not know reads as null.',
  { open: false },
);

export const AddressRef = builder.objectRef<ResponseAddress>('Address').implement({
  description: 'A source or destination of a call (VoIPBIN `CommonAddress`).',
  fields: (t) => ({
    type: t.field({
      type: AddressType.ref,
      nullable: true,
      description: 'The kind of address (`type`).',
      resolve: (a) => AddressType.read(a.type),
    }),
    target: t.exposeString('target', {
      nullable: true,
      description:
        'The endpoint: an E.164 number for TEL, a UUID for AGENT/EXTENSION/CONFERENCE, an e-mail, a SIP URI (`target`).',
    }),
    targetName: t.exposeString('target_name', {
      nullable: true,
      description: "The target's name (`target_name`).",
    }),
    name: t.exposeString('name', {
      nullable: true,
      description: 'A label for this address (`name`).',
    }),
    detail: t.exposeString('detail', {
      nullable: true,
      description: 'Notes about this address (`detail`).',
    }),
  }),
});

export const AddressInput = builder.inputType('AddressInput', {
  description:
    'A source or destination to call (VoIPBIN `CommonAddress`). TEL targets are E.164 (`+` and 8 to 15 digits).',
  fields: (t) => ({
    type: t.field({
      type: AddressType.ref,
      required: true,
      description: 'The kind of address (`type`).',
    }),
    target: t.string({ description: 'The endpoint (`target`).' }),
    targetName: t.string({
      description:
        "The target's name (`target_name`); an EXTENSION may be named by it instead of `target`.",
    }),
    name: t.string({ description: 'A label (`name`).' }),
    detail: t.string({ description: 'Notes (`detail`).' }),
  }),
});
