import { Suspense } from "react";
import { AuthForm } from "../auth-form";

export const metadata = { title: "Sign in · Weft" };

export default function SignInPage() {
  return (
    <Suspense>
      <AuthForm mode="sign-in" />
    </Suspense>
  );
}
