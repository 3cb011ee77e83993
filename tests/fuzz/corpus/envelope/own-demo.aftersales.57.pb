
gen-aftersales-dispute-0001own-demo€ºÕÂœ4 €ØÁ¢Œ4*genericZ
D9001T1001R5001(ı-