/**
 * The operator's cockpit in the browser (Preact): a shell with a login form, a menu and a hash router; each
 * view lives in web/views/. One event stream (web/live.ts) keeps every view current: no reloads, no polling.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setOnUnauthorized } from './api.js';
import { connectLive, disconnectLive, useLive } from './live.js';
import { routes, type Route } from './routes.js';

const LOGIN = '/admin-cabinet/session/start';

function Login({ onDone }: { onDone: () => void }) {
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const body = new URLSearchParams({ login: String(f.get('login') ?? ''), password: String(f.get('password') ?? '') });
    const r = await fetch(LOGIN, { method: 'POST', body, credentials: 'same-origin' });
    const j = (await r.json().catch(() => ({}))) as { success?: boolean; message?: { error?: string[] } };
    if (j.success) onDone();
    else setError(j.message?.error?.join(' ') || `login failed (${r.status})`);
  };
  return (
    <form class="login" onSubmit={submit}>
      <h2>autodialer</h2>
      <input name="login" placeholder="login" autocomplete="username" />
      <input name="password" type="password" placeholder="password" autocomplete="current-password" />
      <button type="submit">Log in</button>
      {error && <div class="err">{error}</div>}
    </form>
  );
}

/** The route of a hash such as #/campaign/12 (the first route whose pattern matches; campaigns otherwise). */
function match(hash: string): { route: Route; params: string[] } {
  const path = hash.replace(/^#/, '') || '/';
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1) };
  }
  return { route: routes[0]!, params: [] };
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Shell() {
  const live = useLive();
  const hash = useHash();
  const { route, params } = match(hash);
  const View = route.view;
  return (
    <>
      <header>
        <b>autodialer</b>
        <nav>
          {routes.filter((r) => r.menu).map((r) => (
            <a href={r.href} class={r === route ? 'active' : ''}>{r.menu}</a>
          ))}
        </nav>
        <span class="live" data-live={live.stream} data-ari={live.ari}>
          {live.stream === 'live' ? '● live' : live.stream}
          {live.ari === 'disconnected' && ' · Asterisk disconnected'}
        </span>
      </header>
      <main>
        <View params={params} />
      </main>
    </>
  );
}

/**
 * The views start at once, as if logged in (no round trip to ask first: that was a fifth of a page load); the
 * first request answered 401 brings the login form instead, and a successful login brings the views back.
 */
function App() {
  const [auth, setAuth] = useState<'in' | 'login'>('in');
  useEffect(() => {
    setOnUnauthorized(() => {
      disconnectLive();
      setAuth('login');
    });
  }, []);
  useEffect(() => {
    if (auth === 'in') connectLive();
  }, [auth]);
  if (auth === 'login') return <Login onDone={() => setAuth('in')} />;
  return <Shell />;
}

const root = document.getElementById('app')!;
root.textContent = ''; // the shell's "Loading…" (Preact would render beside it)
render(<App />, root);
