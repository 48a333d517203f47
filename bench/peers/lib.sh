# Shared by the bench/peers scripts (sourced, not run): the SP key, the common part of a private
# Apache configuration, and waiting for a port. Everything an instance writes stays in its DIR.

apache_modules=/usr/lib/apache2/modules

die() {
  echo "bench/peers: $*" >&2
  exit 1
}

# check_instance_args DIR PORT: DIR must hold the test IdP's metadata (bench_peer_acs
# --write-metadata DIR/idp-metadata.xml) and PORT must be free on 127.0.0.1.
check_instance_args() {
  local dir=$1 port=$2
  [[ -n $dir && -n $port ]] || die "usage: $(basename "$0") DIR PORT"
  [[ $port =~ ^[0-9]+$ ]] || die "port '$port' is not a number"
  [[ -f $dir/idp-metadata.xml ]] || die "$dir/idp-metadata.xml is missing (bench_peer_acs --write-metadata)"
  [[ ! -f $dir/httpd.pid ]] || die "$dir already runs an instance (bench/peers/stop $dir first)"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is in use"; fi
}

# make_sp_key DIR: the SP's RSA-2048 key and self-signed certificate (sp.key, sp.crt), once.
make_sp_key() {
  local dir=$1
  [[ -f $dir/sp.key && -f $dir/sp.crt ]] && return
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=127.0.0.1" \
    -keyout "$dir/sp.key" -out "$dir/sp.crt" 2>/dev/null || die "openssl could not make the SP key"
  chmod 600 "$dir/sp.key"
}

# sp_cert_base64 DIR: the certificate's base64 body on one line, for SP metadata.
sp_cert_base64() {
  sed -e '/-----/d' "$1/sp.crt" | tr -d '\n'
}

# apache_base_conf DIR PORT: the part of httpd.conf both peers share. Loopback only, its own
# ServerRoot, PidFile, runtime dir and logs; no access log (a line per login is not part of
# what is compared). mpm_event with two processes (one per core) of 24 threads: 16 keep-alive
# connections always find a thread. No child is ever recycled (MaxConnectionsPerChild 0, spare
# thread limits wide open), so a process keeps what it built at its first request.
# UseCanonicalName On: the URL the SP checks Destination and Recipient against is the
# configured http://127.0.0.1:PORT, never the client's Host header.
apache_base_conf() {
  local dir=$1 port=$2
  cat <<CONF
ServerRoot "$dir"
DefaultRuntimeDir "$dir"
PidFile "$dir/httpd.pid"
Mutex default:$dir
Listen 127.0.0.1:$port
ServerName 127.0.0.1:$port
UseCanonicalName On
User www-data
Group www-data
ErrorLog "$dir/error.log"
LogLevel warn
HostnameLookups Off
DocumentRoot "$dir/htdocs"

LoadModule mpm_event_module $apache_modules/mod_mpm_event.so
LoadModule authn_core_module $apache_modules/mod_authn_core.so
LoadModule authz_core_module $apache_modules/mod_authz_core.so

StartServers 2
ServerLimit 2
ThreadLimit 24
ThreadsPerChild 24
MaxRequestWorkers 48
MinSpareThreads 1
MaxSpareThreads 48
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
Timeout 60
CONF
}

# start_apache DIR: starts the instance of DIR/httpd.conf and waits until it answers.
start_apache() {
  local dir=$1 port=$2
  mkdir -p "$dir/htdocs"
  echo ok >"$dir/htdocs/index.html"
  # The workers run as www-data: they must reach the folder (not the key, read by the parent).
  chmod 755 "$dir"
  /usr/sbin/apache2 -d "$dir" -f "$dir/httpd.conf" -t >"$dir/configtest.log" 2>&1 ||
    die "Apache refuses $dir/httpd.conf: $(cat "$dir/configtest.log")"
  /usr/sbin/apache2 -d "$dir" -f "$dir/httpd.conf" -k start || die "Apache did not start (see $dir/error.log)"
  wait_port "$port" || die "Apache does not answer on $port (see $dir/error.log)"
  # The listener opens before the detached parent writes its pid file.
  local i
  for ((i = 0; i < 200; i++)); do
    [[ -s $dir/httpd.pid ]] && return 0
    sleep 0.05
  done
  die "Apache wrote no pid file"
}

# wait_port PORT: up to 10 s for something to listen on 127.0.0.1:PORT.
wait_port() {
  local i
  for ((i = 0; i < 200; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  return 1
}

# server_pids DIR: the pids to account CPU to (Apache's parent, shibd), one line.
server_pids() {
  local dir=$1 pids=""
  [[ -s $dir/httpd.pid ]] && pids+="$(cat "$dir/httpd.pid") "
  [[ -s $dir/shibd.pid ]] && pids+="$(cat "$dir/shibd.pid")"
  echo "$pids"
}
