/** Loads a page module on first use, so the student's phone never downloads the admin console. */
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from '../components/ui';

export function lazyPage<P extends object>(load: () => Promise<FunctionComponent<P>>): FunctionComponent<P> {
  let loaded: FunctionComponent<P> | undefined;
  return function LazyPage(props: P) {
    const [C, setC] = useState<FunctionComponent<P> | undefined>(() => loaded);
    useEffect(() => {
      if (!C) load().then((c) => setC(() => (loaded = c)));
    }, [C]);
    return C ? <C {...props} /> : <Loading lines={4} />;
  };
}
