// The two playbooks bench/vs-ansible.mjs compares: the same rolling portal-ext.properties change,
// once as an lrroll playbook and once as the Ansible playbook a careful admin writes today.

const LIFERAY_HOME = '/opt/liferay';
const TOMCAT_HOME = '/opt/liferay/tomcat';

/** lrroll: serial 1, startup line + HTTP gates, HAProxy runtime API, no settle (Ansible has none either). */
export function lrrollPlaybook(cluster, value) {
  const nodes = cluster.nodes
    .map((n) => `    - { name: ${n.name}, host: ${n.address}, port: ${n.sshPort}, httpPort: ${n.httpPort} }\n`)
    .join('');
  return `lrroll: 1
name: vs-ansible ${value}
inventory:
  defaults:
    user: ${cluster.sshUser}
    identityFile: ${cluster.identityFile}
    liferayHome: ${LIFERAY_HOME}
    tomcatHome: ${TOMCAT_HOME}
    service: { stopTimeout: 20s, startTimeout: 60s }
  nodes:
${nodes}loadBalancer:
  type: haproxy
  socket: ${cluster.haproxy.socket}
  backend: ${cluster.haproxy.backend}
  drainTimeout: 5s
health:
  startupMarker: { timeout: 5m }
  http: { url: "http://{{host}}:{{httpPort}}/c/portal/layout", timeout: 5m }
  settle: 0s
change:
  type: portal-properties
  set:
    bench.vs.run: "${value}"
rollout:
  serial: 1
  minHealthy: 1
`;
}

/** ansible.cfg: pipelining and ControlPersist on, host keys checked against the cluster's known_hosts, no facts. */
export function ansibleConfig(cluster, controlDir) {
  return `[defaults]
inventory = inventory.ini
gathering = explicit
host_key_checking = True
interpreter_python = /usr/bin/python3
forks = 10
retry_files_enabled = False

[ssh_connection]
pipelining = True
control_path_dir = ${controlDir}
ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${cluster.knownHostsFile} -o StrictHostKeyChecking=yes -F /dev/null
`;
}

/** The cluster as an INI inventory. */
export function ansibleInventory(cluster) {
  const hosts = cluster.nodes
    .map((n) => `${n.name} ansible_host=${n.address} ansible_port=${n.sshPort} http_port=${n.httpPort}`)
    .join('\n');
  return `[liferay]
${hosts}

[liferay:vars]
ansible_user=${cluster.sshUser}
ansible_ssh_private_key_file=${cluster.identityFile}
liferay_home=${LIFERAY_HOME}
tomcat_home=${TOMCAT_HOME}
haproxy_socket=${cluster.haproxy.socket}
haproxy_backend=${cluster.haproxy.backend}
`;
}

/**
 * The Ansible playbook: drain (wait for sessions, then MAINT), stop, change, rotate catalina.out so
 * the startup line found is this start's, start, wait for the line, wait for HTTP, enable, wait UP.
 * Intervals are the modules' smallest (1 s), as a careful admin who cares about time out of rotation sets them.
 */
export function ansiblePlaybook(cluster, value) {
  return `- name: Rolling portal-ext.properties change
  hosts: liferay
  serial: 1
  gather_facts: false
  any_errors_fatal: true
  vars:
    pid_file: "{{ liferay_home }}/liferay.pid"
    catalina_out: "{{ tomcat_home }}/logs/catalina.out"
  tasks:
    - name: Drain the node in HAProxy, wait for its sessions, then MAINT
      community.general.haproxy:
        state: disabled
        drain: true
        wait: true
        wait_interval: 1
        wait_retries: 5
        host: "{{ inventory_hostname }}"
        backend: "{{ haproxy_backend }}"
        socket: "{{ haproxy_socket }}"
      delegate_to: localhost

    - name: Stop Tomcat
      ansible.builtin.command: "{{ tomcat_home }}/bin/catalina.sh stop 20 -force"
      environment:
        CATALINA_PID: "{{ pid_file }}"

    - name: Set the property
      ansible.builtin.lineinfile:
        path: "{{ liferay_home }}/portal-ext.properties"
        regexp: '^bench\\.vs\\.run='
        line: "bench.vs.run=${value}"

    - name: Rotate catalina.out, so the startup line we wait for is this start's
      ansible.builtin.command: "mv {{ catalina_out }} {{ catalina_out }}.${value}"
      args:
        removes: "{{ catalina_out }}"

    - name: Start Tomcat
      ansible.builtin.command: "{{ tomcat_home }}/bin/catalina.sh start"
      environment:
        CATALINA_PID: "{{ pid_file }}"

    - name: Wait for the startup line
      ansible.builtin.wait_for:
        path: "{{ catalina_out }}"
        search_regex: 'Server startup in'
        timeout: 300
        sleep: 1

    - name: Wait for the portal to answer
      ansible.builtin.uri:
        url: "http://{{ ansible_host }}:{{ http_port }}/c/portal/layout"
        status_code: [200, 302]
        follow_redirects: none
      register: probe
      until: probe.status in [200, 302]
      retries: 60
      delay: 1

    - name: Enable the node in HAProxy and wait until it is UP
      community.general.haproxy:
        state: enabled
        wait: true
        wait_interval: 1
        wait_retries: 30
        host: "{{ inventory_hostname }}"
        backend: "{{ haproxy_backend }}"
        socket: "{{ haproxy_socket }}"
      delegate_to: localhost
`;
}
