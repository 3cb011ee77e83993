
gen-order-cancelled-0001own-demo€ºÕÂœ4 €ØÁ¢Œ4*genericR-	
T1001€€ôŒÆœ4*
out_of_stockL3Ü·