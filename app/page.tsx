import { redirect } from "next/navigation";

// The workflows list is home; the (app) layout sends signed-out people to sign in.
export default function Home() {
  redirect("/workflows");
}
