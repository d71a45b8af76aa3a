// Site-wide behaviour. Loaded from base.html as an ES module (so it runs after
// the document is parsed), with the CSP nonce.
import { initAll } from '../vendor/govuk-frontend/govuk-frontend.min.js'

// GOV.UK Frontend normally relies on a small inline <script> in <body> to add
// these classes; our CSP forbids inline scripts, so we add them here.
// `govuk-frontend-supported` must be present before initAll(), which checks it.
document.body.classList.add('js-enabled')
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported')
}

initAll()

// Alt+Shift+L opens "Log a contact" from anywhere, including from inside a text
// field: the modifiers mean it never clashes with typing. `event.code` is the
// physical key, so it works whatever the keyboard layout or whatever character
// Alt+Shift+L produces (on macOS, Option+Shift+L types "Ó").
document.addEventListener('keydown', (event) => {
  if (
    event.code !== 'KeyL' ||
    !event.altKey ||
    !event.shiftKey ||
    event.ctrlKey ||
    event.metaKey ||
    event.repeat ||
    event.isComposing
  ) {
    return
  }
  const link = document.querySelector('[data-shortcut="log-contact"]')
  const href = link && link.getAttribute('href')
  if (!href) {
    return
  }
  event.preventDefault()
  window.location.assign(href)
})

// "Add another" for Django formsets (e.g. children on the new-parent page):
//
//   {{ formset.management_form }}
//   <div id="children" data-module="app-add-another" data-prefix="child">…forms…</div>
//   <template id="child-template">…formset.empty_form…</template>
//   <button type="button" class="app-js-only" data-add-another="children">Add another child</button>
//
// The template's "__prefix__" (Django's placeholder for the form index) becomes
// the next index and "__number__" the 1-based number shown to people; the
// management form's TOTAL_FORMS is increased and focus moves to the new form.
for (const button of document.querySelectorAll('[data-add-another]')) {
  const container = document.getElementById(button.dataset.addAnother)
  const prefix = container && container.dataset.prefix
  const template = prefix && document.getElementById(`${prefix}-template`)
  const total = prefix && document.getElementById(`id_${prefix}-TOTAL_FORMS`)
  const max = prefix && document.getElementById(`id_${prefix}-MAX_NUM_FORMS`)
  if (!template || !total) {
    continue
  }
  const atMax = () => max && Number(total.value) >= Number(max.value)
  button.hidden = atMax()
  button.addEventListener('click', () => {
    if (atMax()) {
      return
    }
    const index = Number(total.value)
    const html = template.innerHTML
      .replaceAll('__prefix__', String(index))
      .replaceAll('__number__', String(index + 1))
    const holder = document.createElement('div')
    holder.innerHTML = html
    const added = [...holder.children]
    container.append(...added)
    total.value = String(index + 1)
    for (const element of added) {
      initAll({ scope: element })
    }
    const first = added.length && added[0].querySelector('input, select, textarea')
    if (first) {
      first.focus()
    }
    button.hidden = atMax()
  })
}

// "Choose a new password": the emailed link holds its token after "#", which the browser never
// sends to the server (so it is in no access log). Post it, then forget it.
const resetLink = document.querySelector('form[data-reset-link]')
if (resetLink) {
  const fields = new URLSearchParams(window.location.hash.slice(1))
  if (fields.get('token')) {
    resetLink.elements.link_user.value = fields.get('user') || ''
    resetLink.elements.link_token.value = fields.get('token')
    window.history.replaceState(null, '', window.location.pathname)
    resetLink.submit()
  }
}

// Attaching documents: send the form in the background to show how much has been sent (large
// files can take a while), then go where the server says. Without JavaScript the form posts as
// usual. An answer that is not a redirect (a file refused) replaces the page as it would have.
for (const form of document.querySelectorAll('form[data-module="app-upload"]')) {
  const progress = form.querySelector('.app-upload-progress')
  if (!progress || !window.FormData || !window.XMLHttpRequest) {
    continue
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const bar = progress.querySelector('progress')
    const words = progress.querySelector('span')
    const button = form.querySelector('button[type="submit"]')
    const request = new XMLHttpRequest()
    const target = form.getAttribute('action') || window.location.href
    request.open('POST', target)
    request.upload.addEventListener('progress', (sent) => {
      if (sent.lengthComputable) {
        const percent = Math.round((sent.loaded / sent.total) * 100)
        bar.value = percent
        words.textContent = `Sending… ${percent}%`
      }
    })
    request.addEventListener('load', () => {
      if (request.responseURL && request.responseURL !== new URL(target, window.location.href).href) {
        window.location.assign(request.responseURL)
        return
      }
      document.open()
      document.write(request.responseText)
      document.close()
    })
    request.addEventListener('error', () => {
      words.textContent = 'The files could not be sent. Check your connection and try again.'
      button.disabled = false
    })
    progress.hidden = false
    button.disabled = true
    request.send(new FormData(form))
  })
}
