# shellcheck shell=sh
# guest.sh — the body of /init for scripts/arm64/trace-reprogram/run.sh
# (run by scripts/arm64/vm-run.sh in the arm64 guest, one CPU). Traces
# the guest kernel's KVM while `pfbench exit` sweeps PMEVTYPER0_EL0
# writes; the host's run.sh reads the traces. Every pfbench run makes a
# fresh VM per configuration; the kprobe "newvm" (kvm_arch_init_vm) marks
# where each begins.
#   a/  function_graph on the perf-event functions KVM calls, full cycle,
#       no filter and 1 range of each action and position
#   b/  the function tracer on ___slab_alloc (SLUB's slow path) and the
#       kprobe "w" (kvm_pmu_set_counter_event_type, data = the value
#       written: 0x8 is the timed write) to line samples up with it,
#       writes only, no filter
#   c/  b once more with kvm_pmu_evtyper_mask traced too (one more hit per
#       write): what one function-tracer hit costs
T=/sys/kernel/tracing
mount -t tracefs nodev $T || exit 1
echo 65536 >$T/buffer_size_kb
echo 'p:newvm kvm_arch_init_vm' >>$T/kprobe_events
echo 'p:w kvm_pmu_set_counter_event_type data=%x1:x64' >>$T/kprobe_events
echo 1 >$T/events/kprobes/newvm/enable

for f in kvm_pmu_set_counter_event_type kvm_pmu_stop_counter perf_event_create_kernel_counter \
	perf_event_release_kernel perf_install_in_context put_pmu_ctx find_get_pmu_context \
	find_get_context perf_event_alloc perf_remove_from_context _free_event; do
	echo $f >>$T/set_ftrace_filter
done
echo function_graph >$T/current_tracer
pfbench exit --only sweep --sizes 0,1 --samples 20 --warmup 2 -o /out/a >/out/a.txt 2>&1
cat $T/trace >/out/a/trace.txt
echo nop >$T/current_tracer
echo >$T/trace

echo 1 >$T/events/kprobes/w/enable
echo ___slab_alloc >$T/set_ftrace_filter
echo function >$T/current_tracer
pfbench exit --only sweep --sizes 0 --samples 300 --warmup 20 --writes-only -o /out/b >/out/b.txt 2>&1
cat $T/trace >/out/b/trace.txt
echo >$T/trace
echo kvm_pmu_evtyper_mask >>$T/set_ftrace_filter
pfbench exit --only sweep --sizes 0 --samples 300 --warmup 20 --writes-only -o /out/c >/out/c.txt 2>&1
cat $T/trace >/out/c/trace.txt
echo nop >$T/current_tracer
