// Sign in with e-mail and password.
import { useState } from "preact/hooks";
import { ApiError } from "../api";
import { ErrorNote, Field } from "../components/common";
import { useTitle } from "../hooks";
import { navigate } from "../router";
import { homeOf, signIn, useSession } from "../session";

export function Login() {
  useTitle("Sign in");
  const { setMe } = useSession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await signIn(email.trim(), password);
      setMe(me);
      const next = new URLSearchParams(location.search).get("next");
      navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : homeOf(me), true);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) {
        setError(new ApiError(401, "unauthenticated", "That e-mail and password do not match an account."));
      } else {
        setError(caught as ApiError);
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="page page-narrow">
      <p class="brand-large">Tandem</p>
      <h1>Sign in</h1>
      <form onSubmit={submit} class="stack">
        <Field id="email" label="E-mail">
          <input id="email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field id="password" label="Password">
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p class="quiet">Joining for the first time? Open the link your therapist or service gave you.</p>
    </main>
  );
}
