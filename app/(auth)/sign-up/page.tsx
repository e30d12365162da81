import { Suspense } from "react";
import { AuthForm } from "../auth-form";

export const metadata = { title: "Create an account · Weft" };

export default function SignUpPage() {
  return (
    <Suspense>
      <AuthForm mode="sign-up" />
    </Suspense>
  );
}
