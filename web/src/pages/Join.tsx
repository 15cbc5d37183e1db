// A one-time invitation link (/join#<token>): the invited person chooses their e-mail and
// password; the token stays in the fragment, so it never reaches a server log.
import { useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { ErrorNote, Field } from "../components/common";
import { useTitle } from "../hooks";
import { navigate } from "../router";
import { homeOf, signIn, useSession } from "../session";

export function Join() {
  useTitle("Join Tandem");
  const { setMe } = useSession();
  const token = location.hash.replace(/^#/, "");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    if (password !== again) {
      setError(new ApiError(400, "mismatch", "The two passwords are not the same.", "password"));
      return;
    }
    setBusy(true);
    try {
      await api.post("/api/v1/invitations/accept", { token, email: email.trim(), password });
      const me = await signIn(email.trim(), password);
      setMe(me);
      navigate(homeOf(me), true);
    } catch (caught) {
      const e = caught as ApiError;
      if (e.status === 404 || e.slug === "failed-precondition" || e.field === "token") {
        setError(new ApiError(e.status, e.type, "This link has been used already or has expired. Ask for a new one.", "token"));
      } else setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (!token) {
    return (
      <main id="main" class="page page-narrow">
        <h1>Join Tandem</h1>
        <p>This page needs the whole link you were given. Please open it again, or ask for a new one.</p>
      </main>
    );
  }
  return (
    <main id="main" class="page page-narrow">
      <p class="brand-large">Tandem</p>
      <h1>Welcome</h1>
      <p>Choose the e-mail and password you will use to sign in. Nobody else will see your password.</p>
      <form onSubmit={submit} class="stack">
        <Field id="join-email" label="E-mail">
          <input id="join-email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field id="join-password" label="Password" hint="At least 8 characters.">
          <input
            id="join-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            aria-describedby="join-password-hint"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <Field id="join-again" label="The same password again">
          <input id="join-again" type="password" autoComplete="new-password" required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
        </Field>
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Setting up…" : "Join"}
        </button>
      </form>
    </main>
  );
}
