#!/usr/bin/env bash
# Rebuilds the vendored GOV.UK Frontend files in this folder from the npm package.
#
#   bash static/vendor/govuk-frontend/build.sh
#
# Needs node and npm (the npm registry only). Installs govuk-frontend and the
# `sass` compiler into a temporary folder, compiles the Sass with our settings
# (system fonts instead of "GDS Transport", no @font-face, no crown crest) and
# writes:
#   govuk-frontend.min.css  compiled, minified, no source map
#   govuk-frontend.min.js   the package's own ES module build, unchanged except
#                           that the sourceMappingURL comment is removed (the map
#                           is not vendored)
# LICENSE and VERSION.md are kept by hand; update VERSION.md when bumping.
set -euo pipefail

GOVUK_FRONTEND_VERSION="${GOVUK_FRONTEND_VERSION:-5.14.0}"
SASS_VERSION="${SASS_VERSION:-1.108.2}"
ASSETS_PATH="/static/vendor/govuk-frontend/assets/"

dest="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --save-exact \
  "govuk-frontend@${GOVUK_FRONTEND_VERSION}" "sass@${SASS_VERSION}" >/dev/null

installed="$(node -p 'require("./node_modules/govuk-frontend/package.json").version')"
if [ "$installed" != "$GOVUK_FRONTEND_VERSION" ]; then
  echo "expected govuk-frontend $GOVUK_FRONTEND_VERSION, npm installed $installed" >&2
  exit 1
fi

cat > entry.scss <<SCSS
// System fonts: "GDS Transport" is licensed for GOV.UK services only.
\$govuk-font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
\$govuk-include-default-font-face: false;
\$govuk-assets-path: "${ASSETS_PATH}";

// The only image the stylesheet refers to is the crown crest in the footer
// (.govuk-footer__crown). We use no crown, so we resolve it to nothing: the
// compiled CSS then references no asset file at all.
@function app-govuk-image-url(\$filename) {
  @if \$filename == "govuk-crest.svg" {
    @return none;
  }
  @return url(\$govuk-images-path + \$filename);
}
\$govuk-image-url-function: "app-govuk-image-url";

@import "govuk-frontend/dist/govuk/index";
SCSS

npx --no-install sass \
  --style=compressed --no-source-map --no-charset \
  --load-path=node_modules --quiet-deps \
  --silence-deprecation=import \
  entry.scss govuk-frontend.min.css

# Guard the requirements: no GDS Transport, no font files, no crest.
if grep -qi 'GDS Transport\|@font-face\|govuk-crest\|\.woff' govuk-frontend.min.css; then
  echo "compiled CSS still refers to GDS Transport, a font file or the crest" >&2
  exit 1
fi
if grep -q 'url(' govuk-frontend.min.css; then
  echo "compiled CSS refers to asset files; vendor the non-branded ones into assets/:" >&2
  grep -o 'url([^)]*)' govuk-frontend.min.css | sort -u >&2
  exit 1
fi

sed -e 's|//# sourceMappingURL=[^ ]*$||' \
  node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js > govuk-frontend.min.js

install -m 0644 govuk-frontend.min.css "$dest/govuk-frontend.min.css"
install -m 0644 govuk-frontend.min.js "$dest/govuk-frontend.min.js"
echo "govuk-frontend $installed built into $dest (sass $SASS_VERSION)"
