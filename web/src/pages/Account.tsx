// One's own account: who is signed in, and changing the password (which signs out every
// other device).
import { useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { ErrorNote, Field, Page } from "../components/common";
import { useTitle } from "../hooks";
import { useMe } from "../session";

const roleNames = { client: "Client", therapist: "Therapist", supervisor: "Supervisor", admin: "Service admin" };

export function Account() {
  useTitle("Account");
  const me = useMe();
  const [oldPassword, setOld] = useState("");
  const [newPassword, setNew] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setDone(false);
    try {
      await api.post("/api/v1/auth/password", { old_password: oldPassword, new_password: newPassword });
      setOld("");
      setNew("");
      setDone(true);
    } catch (caught) {
      setError(caught as ApiError);
    }
  };
  return (
    <Page title="Account">
      <dl class="facts">
        <dt>Name</dt>
        <dd>{me.display_name}</dd>
        <dt>E-mail</dt>
        <dd>{me.email}</dd>
        <dt>Role</dt>
        <dd>
          {roleNames[me.role]}
          {me.trainee ? " (in training)" : ""}
        </dd>
      </dl>
      <h2>Change password</h2>
      <form onSubmit={submit} class="stack">
        <Field id="old-password" label="Current password">
          <input id="old-password" type="password" autoComplete="current-password" required value={oldPassword} onInput={(e) => setOld(e.currentTarget.value)} />
        </Field>
        <Field id="new-password" label="New password" hint="At least 8 characters. Other devices will be signed out.">
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            aria-describedby="new-password-hint"
            value={newPassword}
            onInput={(e) => setNew(e.currentTarget.value)}
          />
        </Field>
        <ErrorNote error={error} />
        {done ? (
          <p class="note note-ok" role="status">
            Your password is changed.
          </p>
        ) : null}
        <button type="submit" class="primary">
          Change password
        </button>
      </form>
    </Page>
  );
}
