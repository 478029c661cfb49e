import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { api, errorCode, unwrap } from "../api";
import { ME_QUERY, useMeQuery } from "../session";
import { Button } from "../ui/button";
import { ErrorNote } from "../ui/feedback";

/** A role's name, for a demo account the server gives no title (the demo's own accounts all have one). */
const ROLE_NAMES: Record<string, string> = {
  recipient: "Recipient",
  courier: "Courier",
  carrier_admin: "Carrier dispatch",
  operator: "Operator",
  manager: "Building manager",
};

export function SignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMeQuery();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // The demo server lists its logins; any other server answers 404 and the list stays hidden.
  const demo = useQuery({
    queryKey: ["demo-logins"],
    queryFn: async () => {
      const result = await api.GET("/v1/demo");
      return result.response.ok && result.data ? result.data : null;
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
  const signIn = useMutation({
    mutationFn: async (credentials: { email: string; password: string }) => {
      unwrap(await api.POST("/v1/auth/login", { body: credentials }));
      const me = unwrap(await api.GET("/v1/me"));
      return me.kind === "user" ? me.user : null;
    },
    onSuccess: (user) => {
      queryClient.setQueryData(ME_QUERY, user);
      const next = params.get("next");
      // Without a `next`, `/` sends them to where they start (which for a recipient depends on their homes).
      navigate(next?.startsWith("/") && next !== "/signin" ? next : "/");
    },
  });

  if (me.data && !signIn.isPending) return <Navigate to="/" replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email: email.trim(), password });
  };

  return (
    <main className="signin">
      <div className="signin-brand">
        <img src="/favicon.svg" alt="" width={48} height={48} />
        <h1>Threshold</h1>
        <p>Secure, recorded, unattended delivery.</p>
      </div>
      <form className="card signin-form" onSubmit={submit}>
        <h2>Sign in</h2>
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {signIn.isError ? (
          <ErrorNote
            error={signIn.error}
            title={errorCode(signIn.error) === "rate_limited" ? "Too many attempts." : "Could not sign in."}
          />
        ) : null}
        <Button type="submit" size="large" pending={signIn.isPending} pendingLabel="Signing in…">
          Sign in
        </Button>
      </form>
      {demo.data ? (
        <section className="card demo-logins" aria-label="Demo accounts">
          <h2>Demo accounts</h2>
          <p>
            Every password is <code>{demo.data.password}</code>. Tap one to fill the form.
          </p>
          <ul>
            {demo.data.accounts.map((account) => (
              <li key={account.email}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    setEmail(account.email);
                    setPassword(demo.data?.password ?? "");
                  }}
                >
                  <strong>{account.title ?? ROLE_NAMES[account.role] ?? account.role}</strong> — {account.name}
                  <span className="muted"> {account.email}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}
