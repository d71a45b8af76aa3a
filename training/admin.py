# Case studies are reached only through the Training pages (training.access): nothing in the
# admin, which would bypass the approval rule and the audit of reads.
