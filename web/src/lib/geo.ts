/**
 * The browser's location, watched while it improves: phones report a coarse fix first and a
 * precise one seconds later. `best` keeps the most accurate reading seen.
 */
export interface Fix {
  lat: number;
  lon: number;
  accuracy: number;
}
export type GeoProblem = 'unsupported' | 'insecure' | 'denied' | 'timeout';

export function watchLocation(onFix: (best: Fix) => void, onProblem: (p: GeoProblem) => void): () => void {
  if (!window.isSecureContext) {
    onProblem('insecure');
    return () => {};
  }
  if (!('geolocation' in navigator)) {
    onProblem('unsupported');
    return () => {};
  }
  let best: Fix | undefined;
  const id = navigator.geolocation.watchPosition(
    (p) => {
      const fix = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy };
      if (!best || fix.accuracy <= best.accuracy) {
        best = fix;
        onFix(fix);
      }
    },
    (e) => onProblem(e.code === e.PERMISSION_DENIED ? 'denied' : 'timeout'),
    { enableHighAccuracy: true, maximumAge: 0, timeout: 20_000 },
  );
  return () => navigator.geolocation.clearWatch(id);
}

/** One reading (the teacher's "use my current location"). */
export function currentLocation(): Promise<Fix> {
  return new Promise((resolve, reject) => {
    if (!window.isSecureContext) return reject(new Error('insecure'));
    if (!('geolocation' in navigator)) return reject(new Error('unsupported'));
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      (e) => reject(new Error(e.code === e.PERMISSION_DENIED ? 'denied' : 'timeout')),
      { enableHighAccuracy: true, maximumAge: 0, timeout: 20_000 },
    );
  });
}
