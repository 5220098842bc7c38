module heapdrift/cgoleak

go 1.19
