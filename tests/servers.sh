#!/usr/bin/env bash
# Starts and stops private mail servers for poste's tests: Dovecot (IMAP, POP3, LMTP)
# and Postfix (submission with AUTH, delivering to Dovecot over LMTP), on 127.0.0.1 only,
# with a self-signed certificate, from one temporary directory.
#
#   tests/servers.sh install         install the Debian packages when they are missing
#   tests/servers.sh start DIR       start everything in DIR; writes DIR/env with the ports
#   tests/servers.sh stop DIR        stop what start started
#
# Any user name logs in with the password "secret"; each test uses its own user,
# so tests run side by side without seeing each other's mail.
set -euo pipefail

PACKAGES="dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix openssl tmux python3"

need_install() {
  command -v dovecot >/dev/null 2>&1 || return 0
  command -v postfix >/dev/null 2>&1 || return 0
  command -v openssl >/dev/null 2>&1 || return 0
  command -v tmux >/dev/null 2>&1 || return 0
  command -v python3 >/dev/null 2>&1 || return 0
  [ -x /usr/lib/dovecot/pop3 ] || return 0
  [ -x /usr/lib/dovecot/lmtp ] || return 0
  [ -x /usr/lib/dovecot/imap ] || return 0
  return 1
}

install() {
  need_install || return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "servers.sh: installing $PACKAGES" >&2
  # keep the system daemons from starting while the packages install
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
  fi
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >&2
}

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

start() {
  local dir=$1
  install
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  chmod 755 "$dir"
  id vmail >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin vmail
  local vuid vgid
  vuid=$(id -u vmail)
  vgid=$(id -g vmail)

  local imap imaps pop3 pop3s lmtp smtp submission
  imap=$(free_port); imaps=$(free_port); pop3=$(free_port); pop3s=$(free_port)
  lmtp=$(free_port); smtp=$(free_port); submission=$(free_port)

  mkdir -p "$dir/run" "$dir/state" "$dir/mail"
  chown vmail:vmail "$dir/mail"

  if [ ! -f "$dir/cert.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
    # a second, unrelated CA for the wrong-CA tests
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=other-ca" \
      -keyout "$dir/other-key.pem" -out "$dir/other-ca.pem" >/dev/null 2>&1
    chmod 644 "$dir/cert.pem" "$dir/other-ca.pem"
  fi

  cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
instance_name = poste-test-$imap
protocols = imap pop3 lmtp
listen = 127.0.0.1
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
ssl = yes
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login apop
auth_failure_delay = 0
mail_location = maildir:$dir/mail/%u
mail_uid = $vuid
mail_gid = $vgid
first_valid_uid = $vuid
first_valid_gid = $vgid
default_login_user = dovenull
default_internal_user = dovecot
mail_max_userip_connections = 200
pop3_uidl_format = %08Xu%08Xv
postmaster_address = postmaster@localhost
passdb {
  driver = static
  args = password=secret
}
userdb {
  driver = static
  args = uid=$vuid gid=$vgid home=$dir/mail/%u
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}
# a whole-folder FETCH of a 1,000,000-message INBOX (the benchmark) needs more than the
# default 256 MB per imap process
service imap {
  vsz_limit = 4G
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $pop3
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $pop3s
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
CONF
  dovecot -c "$dir/dovecot.conf"

  start_postfix "$dir" "$smtp" "$submission" "$lmtp"

  cat > "$dir/env" <<ENV
POSTE_TEST_DIR=$dir
POSTE_TEST_IMAP_PORT=$imap
POSTE_TEST_IMAPS_PORT=$imaps
POSTE_TEST_POP3_PORT=$pop3
POSTE_TEST_POP3S_PORT=$pop3s
POSTE_TEST_LMTP_PORT=$lmtp
POSTE_TEST_SMTP_PORT=$smtp
POSTE_TEST_SUBMISSION_PORT=$submission
POSTE_TEST_CA=$dir/cert.pem
POSTE_TEST_OTHER_CA=$dir/other-ca.pem
ENV
  wait_port "$imap" && wait_port "$imaps" && wait_port "$pop3" && wait_port "$submission" || {
    echo "servers.sh: servers did not come up; logs:" >&2
    tail -n 30 "$dir/dovecot.log" "$dir/postfix.log" >&2 2>/dev/null || true
    exit 1
  }
  echo "$dir/env"
}

start_postfix() {
  local dir=$1 smtp=$2 submission=$3 lmtp=$4
  local pdir=$dir/postfix
  mkdir -p "$pdir/spool" "$pdir/data"
  chown postfix "$pdir/data"
  cat > "$pdir/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $pdir/spool
data_directory = $pdir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = localhost
mydomain = localhost
mydestination = localhost, example.com, example.org
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = $dir/postfix.log
maillog_file_prefixes = $dir
local_transport = lmtp:inet:127.0.0.1:$lmtp
virtual_transport = lmtp:inet:127.0.0.1:$lmtp
local_recipient_maps =
alias_maps =
alias_database =
smtpd_tls_cert_file = $dir/cert.pem
smtpd_tls_key_file = $dir/key.pem
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = $dir/run/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access inline:{ { rejected@localhost = REJECT no such mailbox here } }
biff = no
shlib_directory = /usr/lib/postfix
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
CONF
  cat > "$pdir/master.cf" <<CONF
127.0.0.1:$smtp inet n - n - - smtpd
127.0.0.1:$submission inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
CONF
  postfix -c "$pdir" set-permissions >/dev/null 2>&1 || true
  # postfix reports its fatal errors only to syslog or a terminal: give it a terminal
  if ! script -qec "postfix -c '$pdir' start" /dev/null >>"$dir/postfix-start.log" 2>&1; then
    echo "servers.sh: postfix did not start:" >&2
    cat "$dir/postfix-start.log" "$dir/postfix.log" >&2 2>/dev/null || true
    exit 1
  fi
}

wait_port() {
  local port=$1 i
  for i in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "servers.sh: nothing listens on 127.0.0.1:$port" >&2
  return 1
}

stop() {
  local dir=$1
  [ -f "$dir/dovecot.conf" ] && dovecot -c "$dir/dovecot.conf" stop 2>/dev/null || true
  [ -f "$dir/postfix/main.cf" ] && postfix -c "$dir/postfix" stop >/dev/null 2>&1 || true
  return 0
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: servers.sh start DIR}" ;;
  stop) stop "${2:?usage: servers.sh stop DIR}" ;;
  *) echo "usage: servers.sh install | start DIR | stop DIR" >&2; exit 2 ;;
esac
