
gen-aftersales-complaint-0001tm-demo€ºÕÂœ4 €ØÁ¢Œ4*genericZ1/
C7001T1001buyer-77 *å‘è´§å¤ªæ…¢HÀ»š”4