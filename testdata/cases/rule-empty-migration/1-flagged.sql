-- nothing to do yet

