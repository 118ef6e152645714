import { type FormEvent, type RefObject, useEffect, useId, useRef, useState } from 'react';
import { type AnyVariables, type CombinedError, type DocumentInput, useClient } from 'urql';
import {
  MUTE_CHOICES,
  type MuteChoice,
  muteWords,
  recordingCount,
  talkRequest,
  unmuteDirection,
} from '../controls.ts';
import {
  type CallState,
  HoldCall,
  MuteCall,
  StartMusicOnHold,
  StartRecording,
  StartSilence,
  StopMusicOnHold,
  StopRecording,
  StopSilence,
  TalkToCall,
  UnholdCall,
  UnmuteCall,
} from '../documents.ts';
import { toErrorView } from '../errors.ts';

interface Props {
  /** The call controlled; every control is disabled unless it is PROGRESSING. */
  call: CallState;
  /** True while the page is disconnected from the gateway. */
  disabled: boolean;
  /** Receives the call each control's mutation answers. */
  onCall: (call: CallState) => void;
}

/**
 * The in-call controls: hold, mute, music on hold, silence, speech and recording. Each runs its
 * own mutation, is busy while it runs and shows its own error beside it.
 */
export function CallControls(props: Props) {
  // One instance per call: another call starts with nothing held, no errors and no text.
  return <Controls key={props.call.id} {...props} />;
}

/** One control's request: pending while it runs, its error shown until its next success. */
interface Control {
  pending: boolean;
  error: string | undefined;
  /** Sends the mutation; true when it answered the call, which then goes to `onCall`. */
  run<Data, Variables extends AnyVariables>(
    document: DocumentInput<Data, Variables>,
    variables: Variables,
    answered: (data: Data) => CallState,
  ): Promise<boolean>;
  /** Shows a problem found before sending anything. */
  refuse(message: string): void;
}

/** A failed request's words: the banner lines, then any field messages. */
function errorText(error: CombinedError): string {
  const { banner, fields } = toErrorView(error);
  return [...banner, ...Object.values(fields)].join(' ');
}

function useControl(onCall: (call: CallState) => void, mounted: RefObject<boolean>): Control {
  const client = useClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  // Set at once, before React renders the button disabled: a double click sends once.
  const running = useRef(false);
  return {
    pending,
    error,
    async run(document, variables, answered) {
      if (running.current) return false;
      running.current = true;
      setPending(true);
      const result = await client.mutation(document, variables).toPromise();
      running.current = false;
      // The call changed (or the page left it) meanwhile: this answer is for nothing shown.
      if (!mounted.current) return false;
      setPending(false);
      if (result.error) {
        setError(errorText(result.error));
        return false;
      }
      if (!result.data) {
        setError('The gateway answered no call.');
        return false;
      }
      setError(undefined);
      onCall(answered(result.data));
      return true;
    },
    refuse: setError,
  };
}

/** A mutation of a call by its id, and where its answer holds the call. */
type ByIdMutation<Data> = [DocumentInput<Data, { id: string }>, (data: Data) => CallState];

/**
 * A channel toggle (hold, music on hold, silence): one mutation turns it on, another off.
 * VoIPBIN's call shows none of them, so `pressed` is what succeeded last, for this call.
 */
function useChannelToggle<On, Off>(
  onCall: (call: CallState) => void,
  mounted: RefObject<boolean>,
  id: string,
  on: ByIdMutation<On>,
  off: ByIdMutation<Off>,
) {
  const [pressed, setPressed] = useState(false);
  const control = useControl(onCall, mounted);
  const toggle = async () => {
    const done = pressed
      ? await control.run(off[0], { id }, off[1])
      : await control.run(on[0], { id }, on[1]);
    if (done) setPressed(!pressed);
  };
  return { pressed, control, toggle };
}

/** `aria-describedby` from the ids given, leaving out the absent ones. */
const describedBy = (...ids: (string | false | undefined)[]) =>
  ids.filter(Boolean).join(' ') || undefined;

/**
 * A control's error, beside it; always there (empty when none) and polite, so that an error
 * appearing is announced.
 */
function ControlError({ id, error }: { id: string; error: string | undefined }) {
  return (
    <p className="control-error" id={id} aria-live="polite">
      {error ?? ''}
    </p>
  );
}

/**
 * A button that turns something on and off, one request each way, its label saying what a
 * press does ("Hold", then "Resume"): the state reads in words, not in colour alone. While its
 * request runs, or the page is disconnected, it is `aria-disabled` and a press does nothing
 * (not `disabled`, which would drop the focus to the page's body).
 */
function Toggle(props: {
  label: string;
  onLabel: string;
  pressed: boolean;
  off: boolean;
  control: Control;
  describedBy?: string;
  onToggle: () => void;
}) {
  const { control } = props;
  const errorId = useId();
  return (
    <div className="stack">
      <button
        type="button"
        className="btn"
        data-control={props.label}
        data-on={props.pressed}
        aria-busy={control.pending}
        aria-disabled={control.pending || props.off}
        aria-describedby={describedBy(props.describedBy, control.error && errorId)}
        onClick={() => {
          if (!props.off) props.onToggle();
        }}
      >
        {props.pressed ? props.onLabel : props.label}
      </button>
      <ControlError id={errorId} error={control.error} />
    </div>
  );
}

function Controls({ call, disabled, onCall }: Props) {
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const { id } = call;
  const off = disabled || call.status !== 'PROGRESSING';
  const ids = useId();

  const hold = useChannelToggle(
    onCall,
    mounted,
    id,
    [HoldCall, (d) => d.holdCall],
    [UnholdCall, (d) => d.unholdCall],
  );
  const music = useChannelToggle(
    onCall,
    mounted,
    id,
    [StartMusicOnHold, (d) => d.startMusicOnHold],
    [StopMusicOnHold, (d) => d.stopMusicOnHold],
  );
  const silence = useChannelToggle(
    onCall,
    mounted,
    id,
    [StartSilence, (d) => d.startSilence],
    [StopSilence, (d) => d.stopSilence],
  );

  // Mute: the state shown is the call's own `muteDirection`.
  const [direction, setDirection] = useState<MuteChoice>('BOTH');
  const mute = useControl(onCall, mounted);
  const [muting, setMuting] = useState<'mute' | 'unmute'>('mute');
  const muteStateId = `${ids}-mute-state`;
  const muteErrorId = `${ids}-mute-error`;
  const sendMute = () => {
    if (mute.pending || off) return;
    setMuting('mute');
    void mute.run(MuteCall, { id, direction }, (data) => data.muteCall);
  };
  const sendUnmute = () => {
    if (mute.pending || off) return;
    setMuting('unmute');
    const muted = unmuteDirection(call.muteDirection);
    void mute.run(UnmuteCall, muted ? { id, direction: muted } : { id }, (data) => data.unmuteCall);
  };

  // Speech: checked here first; the text is never logged.
  const [text, setText] = useState('');
  const talk = useControl(onCall, mounted);
  const talkId = `${ids}-talk`;
  const talkErrorId = `${ids}-talk-error`;
  const say = async (event: FormEvent) => {
    event.preventDefault();
    // The form submits on Enter too; `run` sends nothing while a request runs.
    if (off) return;
    const request = talkRequest(text);
    if ('refused' in request) {
      talk.refuse(request.refused);
      return;
    }
    const done = await talk.run(
      TalkToCall,
      { id, input: { text: request.text } },
      (data) => data.talkToCall,
    );
    if (done) setText('');
  };

  // Recording: the state is the call's own `recordingId`.
  const recording = useControl(onCall, mounted);
  const toggleRecording = () =>
    void (call.recordingId === null
      ? recording.run(StartRecording, { id }, (data) => data.startRecording)
      : recording.run(StopRecording, { id }, (data) => data.stopRecording));
  const recordingsId = `${ids}-recordings`;

  return (
    <section className="controls stack" aria-label="Call controls">
      <fieldset aria-label="Hold and background audio" className="cluster">
        <Toggle
          label="Hold"
          onLabel="Resume"
          pressed={hold.pressed}
          off={off}
          control={hold.control}
          onToggle={hold.toggle}
        />
        <Toggle
          label="Music on hold"
          onLabel="Stop music on hold"
          pressed={music.pressed}
          off={off}
          control={music.control}
          onToggle={music.toggle}
        />
        <Toggle
          label="Silence"
          onLabel="Stop silence"
          pressed={silence.pressed}
          off={off}
          control={silence.control}
          onToggle={silence.toggle}
        />
      </fieldset>

      <fieldset aria-label="Mute" className="stack">
        <fieldset className="cluster choices">
          <legend>Mute which way</legend>
          {MUTE_CHOICES.map((choice) => (
            <span key={choice.value}>
              <label className="choice">
                <input
                  type="radio"
                  name={`${ids}-mute-direction`}
                  value={choice.value}
                  checked={direction === choice.value}
                  onChange={() => setDirection(choice.value)}
                  disabled={off}
                  aria-describedby={`${ids}-mute-${choice.value}`}
                />{' '}
                {choice.label}
              </label>{' '}
              <span className="visually-hidden" id={`${ids}-mute-${choice.value}`}>
                {choice.hint}
              </span>
            </span>
          ))}
        </fieldset>
        <div className="cluster">
          <button
            type="button"
            className="btn"
            aria-busy={mute.pending && muting === 'mute'}
            aria-disabled={mute.pending || off}
            aria-describedby={describedBy(muteStateId, mute.error && muteErrorId)}
            onClick={sendMute}
          >
            Mute
          </button>
          <button
            type="button"
            className="btn"
            aria-busy={mute.pending && muting === 'unmute'}
            aria-disabled={mute.pending || off}
            aria-describedby={describedBy(muteStateId, mute.error && muteErrorId)}
            onClick={sendUnmute}
          >
            Unmute
          </button>
          <p className="muted" id={muteStateId} aria-live="polite">
            {muteWords(call.muteDirection)}
          </p>
        </div>
        <ControlError id={muteErrorId} error={mute.error} />
      </fieldset>

      <form onSubmit={say} noValidate>
        <fieldset aria-label="Say something" className="stack">
          <label htmlFor={talkId}>Text to say into the call</label>
          <div className="cluster say">
            <input
              id={talkId}
              type="text"
              autoComplete="off"
              value={text}
              onChange={(event) => setText(event.target.value)}
              readOnly={talk.pending || off}
              aria-disabled={off}
              aria-invalid={talk.error !== undefined}
              aria-describedby={describedBy(talk.error && talkErrorId)}
            />
            <button
              type="submit"
              className="btn"
              aria-busy={talk.pending}
              aria-disabled={talk.pending || off}
              aria-describedby={describedBy(talk.error && talkErrorId)}
            >
              Say
            </button>
          </div>
          <ControlError id={talkErrorId} error={talk.error} />
        </fieldset>
      </form>

      <fieldset aria-label="Recording" className="cluster">
        <Toggle
          label="Record"
          onLabel="Stop recording"
          pressed={call.recordingId !== null}
          off={off}
          control={recording}
          describedBy={recordingsId}
          onToggle={toggleRecording}
        />
        <p className="muted" id={recordingsId}>
          {recordingCount(call)}
          {call.recordingId === null ? null : (
            <>
              ; recording now: <span className="mono">{call.recordingId}</span>
            </>
          )}
        </p>
      </fieldset>
    </section>
  );
}
