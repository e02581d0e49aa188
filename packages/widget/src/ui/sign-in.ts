/** Sign-in: as a guest, with a username and password (or sign up), or with Kakao; whichever the site allows. */
import { html, nothing } from 'lit-html';
import type { SignInView } from '../state/store.js';
import type { ViewContext } from './context.js';

function field(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement ? el.value : '';
}

export function signInView(v: ViewContext) {
  const { state, t, store } = v;
  const site = state.site;
  if (!site) return nothing;
  const s = site.settings;
  const views: SignInView[] = [];
  if (!s.verifiedOnly) {
    if (s.guestsEnabled) views.push('guest');
    views.push('login');
    if (s.signupEnabled) views.push('signup');
  }
  const kakao = site.kakao === true;
  const current = views.includes(state.signInView) ? state.signInView : views[0];
  const labels: Record<SignInView, string> = { guest: t.asGuest, login: t.logIn, signup: t.signUp };

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    if (current === 'guest') void store.signInAsGuest(field(form, 'displayName'));
    else if (current === 'login') void store.logIn(field(form, 'username'), field(form, 'password'));
    else if (current === 'signup')
      void store.signUp(field(form, 'username'), field(form, 'password'), field(form, 'displayName'));
  };

  return html`<div part="sign-in" class="scroll">
    ${!s.guestsEnabled && !s.verifiedOnly ? html`<p class="stack hint" part="notice">${t.noGuests}</p>` : nothing}
    ${
      views.length > 1
        ? html`<div class="tabs" role="group">
            ${views.map(
              (view) =>
                html`<button
                  class="button"
                  type="button"
                  data-view=${view}
                  aria-pressed=${view === current ? 'true' : 'false'}
                  @click=${() => store.setSignInView(view)}
                >
                  ${labels[view]}
                </button>`,
            )}
          </div>`
        : nothing
    }
    ${state.error ? html`<p part="error" role="alert">${state.error}</p>` : nothing}
    ${
      current
        ? html`<form class="stack" @submit=${submit} data-form=${current}>
            ${
              current === 'guest' || current === 'signup'
                ? html`<label
                    >${t.displayName}
                    <input
                      name="displayName"
                      autocomplete="nickname"
                      maxlength="64"
                      ?required=${current === 'guest'}
                    />
                  </label>`
                : nothing
            }
            ${
              current !== 'guest'
                ? html`<label
                      >${t.username}
                      <input
                        name="username"
                        autocomplete="username"
                        required
                        minlength="3"
                        maxlength="32"
                        autocapitalize="off"
                        spellcheck="false"
                      />
                    </label>
                    <label
                      >${t.password}
                      <input
                        name="password"
                        type="password"
                        required
                        minlength=${current === 'signup' ? 8 : 1}
                        autocomplete=${current === 'signup' ? 'new-password' : 'current-password'}
                      />
                    </label>`
                : nothing
            }
            <button class="button primary" type="submit" ?disabled=${state.busy}>
              ${current === 'guest' ? t.startChat : labels[current]}
            </button>
          </form>`
        : nothing
    }
    ${
      kakao
        ? html`<div class="stack">
            <button
              class="button kakao"
              type="button"
              data-action="kakao"
              ?disabled=${state.busy}
              @click=${() => void store.kakao()}
            >
              ${t.withKakao}
            </button>
          </div>`
        : nothing
    }
    ${
      !current && !kakao
        ? html`<div class="stack">
            <p class="hint" part="notice">${s.verifiedOnly ? t.verifiedOnly(site.name) : t.noSignIn}</p>
          </div>`
        : nothing
    }
  </div>`;
}
