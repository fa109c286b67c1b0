// A tiny change bus: a page that changes shared data (experiments, notifications) bumps a topic,
// and whatever shows that data elsewhere (the top bar) reloads.
import { useSyncExternalStore } from 'react';

export type Topic = 'experiments' | 'notifications';

const EVENT = 'assay:changed';
const versions: Record<Topic, number> = { experiments: 0, notifications: 0 };

export function bump(topic: Topic) {
  versions[topic]++;
  window.dispatchEvent(new Event(EVENT));
}

function subscribe(cb: () => void) {
  window.addEventListener(EVENT, cb);
  return () => window.removeEventListener(EVENT, cb);
}

/** A number that changes each time the topic is bumped; put it in a loader's deps. */
export function useVersion(topic: Topic): number {
  return useSyncExternalStore(subscribe, () => versions[topic], () => versions[topic]);
}
