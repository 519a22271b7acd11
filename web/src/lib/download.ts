/** Downloads an authenticated export (the token is a header, so a plain link cannot carry it). */
import { authFetch, toApiError } from '../api/client';

export async function downloadFile(url: string, fallbackName: string): Promise<void> {
  const res = await authFetch(new Request(new URL(url, location.origin)));
  if (!res.ok) throw toApiError(res, await res.json().catch(() => ({})));
  const name =
    /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
