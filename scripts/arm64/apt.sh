#!/bin/sh
# apt.sh — a private apt-get for arm64 packages (sourced by sysroot.sh and
# kernel.sh; not run on its own).
#
# Everything apt keeps — sources, package lists, downloaded .debs, an empty
# dpkg status — lives under $APT_DIR (default build-arm64/apt), and
# APT::Architecture is arm64, so this installs nothing into the host system
# and never touches the host's dpkg database (no `dpkg --add-architecture`).
# The sources are the host's own Debian sources (deb822 files in
# /etc/apt/sources.list.d/ or one-line /etc/apt/sources.list), restricted to
# the host's release and its -updates/-security suites and re-labelled
# arm64: this project names no package server.
#
#   . scripts/arm64/apt.sh
#   arm64_apt_ready             # set up $APT_DIR and fetch the lists, once
#   arm64_apt apt-cache ARGS... # apt-get or apt-cache with that configuration
#   arm64_apt_download DIR PKG...   # .debs into DIR (cached: kept if there)

APT_DIR=${APT_DIR:-build-arm64/apt}
case $APT_DIR in /*) ;; *) APT_DIR=$(pwd)/$APT_DIR ;; esac

# The host's release codename (bookworm), from os-release.
arm64_codename()
{
	# shellcheck disable=SC1091
	. /etc/os-release
	[ -n "${VERSION_CODENAME:-}" ] || {
		echo "arm64: /etc/os-release has no VERSION_CODENAME" >&2
		return 1
	}
	echo "$VERSION_CODENAME"
}

# Writes the host's Debian sources for the release $1 as deb822 stanzas with
# Architectures: arm64. Stanzas of other suites (third-party repositories)
# and disabled ones are left out.
arm64_sources()
{
	codename=$1
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v rel="$codename" '
		function flush() {
			if (n && deb && suite_ok && enabled) {
				for (i = 1; i <= n; i++)
					print lines[i]
				print "Architectures: arm64"
				print ""
			}
			n = 0; deb = 0; suite_ok = 0; enabled = 1
		}
		BEGIN { enabled = 1 }
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{
			key = tolower($1)
			if (key == "architectures:")
				next
			if (key == "types:")
				for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1
			if (key == "enabled:" && tolower($2) == "no")
				enabled = 0
			if (key == "suites:") {
				for (i = 2; i <= NF; i++)
					if ($i == rel || index($i, rel "-") == 1) suite_ok = 1
			}
			lines[++n] = $0
		}
		END { flush() }' "$f"
	done
	# One-line format: "deb [options] URI SUITE COMPONENT...".
	if [ -f /etc/apt/sources.list ]; then
		awk -v rel="$codename" '
		$1 != "deb" { next }
		{
			opts = ""; i = 2
			if ($2 ~ /^\[/) {
				while (i <= NF) {
					o = $i; gsub(/[][]/, "", o)
					if (o ~ /^signed-by=/) opts = substr(o, 11)
					if ($i ~ /\]$/) { i++; break }
					i++
				}
			}
			uri = $i; suite = $(i + 1)
			if (suite != rel && index(suite, rel "-") != 1) next
			comps = ""
			for (j = i + 2; j <= NF; j++) comps = comps " " $j
			print "Types: deb"
			print "URIs: " uri
			print "Suites: " suite
			print "Components:" comps
			if (opts != "") print "Signed-By: " opts
			print "Architectures: arm64"
			print ""
		}' /etc/apt/sources.list
	fi
}

# arm64_apt apt-get|apt-cache ARGS...: the tool with the private configuration.
arm64_apt()
{
	tool=$1
	shift
	"$tool" -q \
		-o APT::Architecture=arm64 \
		-o APT::Architectures::=arm64 \
		-o Dir::Etc::SourceList="$APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts="$APT_DIR/sources.parts" \
		-o Dir::Etc::Preferences="$APT_DIR/preferences" \
		-o Dir::Etc::PreferencesParts="$APT_DIR/preferences.parts" \
		-o Dir::State="$APT_DIR/state" \
		-o Dir::State::Lists="$APT_DIR/state/lists" \
		-o Dir::State::status="$APT_DIR/status" \
		-o Dir::Cache="$APT_DIR/cache" \
		-o Debug::NoLocking=true \
		-o APT::Sandbox::User=root \
		"$@"
}

# Sets up $APT_DIR and fetches the package lists; again only when they are
# more than a day old (the archive drops superseded versions).
arm64_apt_ready()
{
	[ -n "$(find "$APT_DIR/.updated" -mtime -1 2>/dev/null)" ] && return 0
	codename=$(arm64_codename) || return 1
	mkdir -p "$APT_DIR/sources.parts" "$APT_DIR/preferences.parts" \
		"$APT_DIR/state/lists/partial" "$APT_DIR/cache/archives/partial"
	: >"$APT_DIR/sources.list"
	: >"$APT_DIR/status"
	arm64_sources "$codename" >"$APT_DIR/sources.parts/host-arm64.sources"
	grep -q '^URIs:' "$APT_DIR/sources.parts/host-arm64.sources" || {
		echo "arm64: no Debian $codename sources found in /etc/apt/sources.list.d/*.sources" \
			"or /etc/apt/sources.list" >&2
		return 1
	}
	echo "arm64: apt-get update (arm64 lists, private: $APT_DIR)"
	arm64_apt apt-get update -qq || return 1
	touch "$APT_DIR/.updated"
}

# Downloads the .debs of the named packages (no dependencies) into DIR,
# skipping a package whose .deb is already there.
arm64_apt_download()
{
	dir=$1
	shift
	mkdir -p "$dir"
	need=""
	for p in "$@"; do
		ls "$dir/${p}_"*_arm64.deb >/dev/null 2>&1 || need="$need $p"
	done
	[ -z "$need" ] && return 0
	arm64_apt_ready || return 1
	echo "arm64: downloading$need"
	# shellcheck disable=SC2086
	(cd "$dir" && arm64_apt apt-get download -qq $need)
}
